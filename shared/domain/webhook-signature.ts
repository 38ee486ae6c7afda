import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * How a `webhook` hook signs its deliveries: Standard Webhooks (standardwebhooks.com, symmetric scheme), so a
 * receiver verifies them with any Standard Webhooks library, and for hooks made before Slipway spoke it the
 * legacy `Slipway-Signature` as well, until their owner turns it off.
 */

/** The headers of the Standard Webhooks scheme. */
export const STANDARD_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** A Standard Webhooks secret: `whsec_` and the base64 of a random key of 24 to 64 bytes. */
export const SECRET_PREFIX = 'whsec_';
export const SECRET_KEY_BYTES = { min: 24, max: 64 } as const;
const STANDARD_SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;

const keyBytesOf = (secret: string): Buffer | undefined => {
  const encoded = STANDARD_SECRET.exec(secret)?.[1];
  if (encoded === undefined) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= SECRET_KEY_BYTES.min && key.length <= SECRET_KEY_BYTES.max ? key : undefined;
};

export const isStandardSecret = (secret: string): boolean => keyBytesOf(secret) !== undefined;

/** A new signing secret: 32 random bytes, serialized as Standard Webhooks says. */
export const newStandardSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/**
 * How a stored secret becomes a key: `standard` secrets (every webhook secret given or made since Slipway
 * speaks Standard Webhooks) are `whsec_<base64>` and key with the decoded bytes; `text` is a secret stored
 * before (or a vendor token), whose key is its UTF-8 text, the very key its Slipway-Signature always had. Its
 * Standard Webhooks serialization is therefore `whsec_` + base64 of that text (see standardSecretOf).
 */
const SECRET_ENCODINGS = ['standard', 'text'] as const;
export type SecretEncoding = (typeof SECRET_ENCODINGS)[number];

/** A signing secret as it signs: its text (the legacy header's key) and the Standard Webhooks key. */
export type SigningSecret = { text: string; key: Buffer };

export const signingSecretOf = (text: string, encoding: SecretEncoding): SigningSecret => ({
  text,
  key: (encoding === 'standard' ? keyBytesOf(text) : undefined) ?? Buffer.from(text, 'utf8'),
});

/** The Standard Webhooks secret a receiver configures for a secret stored with `encoding`. */
export const standardSecretOf = (text: string, encoding: SecretEncoding): string =>
  `${SECRET_PREFIX}${signingSecretOf(text, encoding).key.toString('base64')}`;

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. */
const standardSignature = (key: Buffer, id: string, timestamp: number, body: string): string =>
  `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

/**
 * The three Standard Webhooks headers, signed with every key given (the current secret, and during a
 * rotation the previous one too), space-separated as the spec allows.
 */
export const standardHeaders = (keys: readonly Buffer[], id: string, timestamp: number, body: string): Record<string, string> => ({
  [STANDARD_HEADERS.id]: id,
  [STANDARD_HEADERS.timestamp]: String(timestamp),
  [STANDARD_HEADERS.signature]: keys.map((key) => standardSignature(key, id, timestamp, body)).join(' '),
});

/**
 * The legacy `Slipway-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` keyed
 * with the secret's text. Sent only to hooks that still want it (`legacy_signature`).
 */
export const SIGNATURE_HEADER = 'slipway-signature';

const signatureOf = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export const signatureHeader = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;

/** What a legacy receiver does (and the tests): the header's HMAC matches and its time is recent. */
export const verifySignature = (
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean => {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = Buffer.from(parts.get('v1') ?? '', 'hex');
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};
