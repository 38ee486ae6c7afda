import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals hook secrets at rest. Signing needs the plaintext, so secrets are encrypted, not hashed. In AWS
 * the key belongs in KMS behind this same interface; locally it is a clearly named key file under the
 * data dir (`local-hook-secrets.key`), a stand-in that protects nothing against someone who can read both.
 */
export type SecretBox = { seal: (plaintext: string) => Promise<string>; open: (sealed: string) => Promise<string> };

const VERSION = 'v1';

/** AES-256-GCM with a 32-byte key: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export const localSecretBox = (key: Buffer): SecretBox => {
  if (key.length !== 32) throw new Error('The local hook secret key must be 32 bytes.');
  return {
    seal: async (plaintext) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open: async (sealed) => {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Not a sealed hook secret.');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
};
