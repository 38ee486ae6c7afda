import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { ALL_EVENTS, DEFAULT_DELIVERY_PAGE, DEFAULT_PREVIOUS_SECRET_SECONDS, MAX_PREVIOUS_SECRET_SECONDS } from '../domain/hooks';
import { EVENT_TYPES } from '../domain/events';
import { HttpUrl, shortText, userRecord } from './common';
import { HookKindField } from './hook-kind';

const MAX_DELIVERY_PAGE = 200;

const HookEventName = builtOnFirstUse(() => z.enum([ALL_EVENTS, ...EVENT_TYPES]));

const HookFields = builtOnFirstUse(() => ({
  kind: HookKindField,
  url: HttpUrl().check(
    z.meta({ description: 'Where to send: the receiver (webhook, Slack) or the vendor API root (Grafana, Sentry organization, New Relic, Bugsnag).' }),
  ),
  events: z.array(HookEventName()).check(
    z.minLength(1),
    z.maxLength(EVENT_TYPES.length + 1),
    z.meta({
      description:
        'Event types to send, or ["*"] for all the kind takes. A webhook takes every type; an integration only its own (slack: release.succeeded, release.failed, release.unknown, release.rollback, promotion.finished; grafana: release.succeeded, release.failed, release.unknown; sentry, newrelic, bugsnag: release.succeeded); any other is 422 hook_events_not_for_kind, naming them.',
    }),
  ),
  active: z.boolean(),
  secret: shortText(512).check(
    z.minLength(8),
    z.meta({
      description:
        'webhook: its Standard Webhooks signing secret, `whsec_` + the base64 of 24 to 64 random bytes (made for you if absent; anything else is 422 hook_secret_invalid); integrations: the vendor token. Never returned after creation.',
    }),
  ),
  options: userRecord(z.string().check(z.regex(/^[a-z_]{1,32}$/)), shortText(256)).check(
    z.refine((options) => Object.keys(options).length <= 10, { message: 'at most 10 options' }),
    z.meta({
      description:
        'Kind settings: sentry project (required), environment, repository, dashboard_url; newrelic entity_guid (required), dashboard_url; grafana tags, dashboard_uid; bugsnag release_stage, repository, source_control_provider. Other names are kept as given (__proto__ and constructor too).',
    }),
  ),
}));

export const CreateHookRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      kind: z._default(HookFields().kind, 'webhook'),
      url: HookFields().url,
      events: z.optional(HookFields().events).check(z.meta({ description: 'Absent: every event the kind takes (see events).' })),
      active: z._default(HookFields().active, true),
      secret: z.optional(HookFields().secret),
      options: z._default(HookFields().options, {}),
    })
    .register(z.globalRegistry, { id: 'CreateHookRequest' }),
);

export const UpdateHookRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      url: z.optional(HookFields().url).check(
        z.meta({
          description:
            'A new URL. A hook that holds a secret (a webhook signing secret, a vendor token) moves only with `secret` sent again in the same request (else 422 hook_secret_required), so a token never goes to a URL it was not entered for.',
        }),
      ),
      events: z.optional(HookFields().events),
      active: z.optional(HookFields().active),
      secret: z
        .optional(HookFields().secret)
        .check(z.meta({ description: 'A new secret (see CreateHookRequest); required along with a new url when the hook holds one.' })),
      options: z.optional(HookFields().options),
      legacy_signature: z.optional(z.boolean()).check(
        z.meta({
          description: 'webhook only: false stops the legacy Slipway-Signature, Slipway-Event and Slipway-Event-Id headers once your receiver verifies webhook-signature.',
        }),
      ),
    })
    .check(
      z.refine((patch) => Object.values(patch).some((value) => value !== undefined), {
        message: 'give at least one of url, events, active, secret, options, legacy_signature',
      }),
      z.meta({ id: 'UpdateHookRequest' }),
    ),
);

export const RotateHookSecretRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      secret: z
        .optional(HookFields().secret)
        .check(z.meta({ description: 'The new signing secret (whsec_ + base64 of 24 to 64 bytes); made for you if absent.' })),
      previous_secret_valid_seconds: z._default(z.int().check(z.gte(0), z.lte(MAX_PREVIOUS_SECRET_SECONDS)), DEFAULT_PREVIOUS_SECRET_SECONDS).check(
        z.meta({
          description: `How long the secret it replaces still signs each delivery beside the new one (a second v1 signature); 0 stops it at once. Default ${DEFAULT_PREVIOUS_SECRET_SECONDS} (a day), at most ${MAX_PREVIOUS_SECRET_SECONDS} (a week).`,
        }),
      ),
    })
    .register(z.globalRegistry, { id: 'RotateHookSecretRequest' }),
);

export const ListDeliveriesQuery = builtOnFirstUse(() =>
  z.object({
    limit: z
      ._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(MAX_DELIVERY_PAGE)), DEFAULT_DELIVERY_PAGE)
      .check(z.meta({ description: `Deliveries a page (default ${DEFAULT_DELIVERY_PAGE}, at most ${MAX_DELIVERY_PAGE}), newest first.` })),
    cursor: z.optional(z.string().check(z.maxLength(512))).check(z.meta({ description: 'The Next-Cursor of the previous page.' })),
  }),
);

export type CreateHookRequest = z.infer<ReturnType<typeof CreateHookRequest>>;
export type UpdateHookRequest = z.infer<ReturnType<typeof UpdateHookRequest>>;
export type RotateHookSecretRequest = z.infer<ReturnType<typeof RotateHookSecretRequest>>;
