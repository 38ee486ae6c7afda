import * as z from 'zod';
import { ATTEMPT_LOG_LIMITS, ATTEMPT_REASONS, DELIVERY_OUTCOMES } from '../domain/hook-vocabulary';
import { Timestamp, Uuid } from './common';
import { HookKindField } from './hook-kind';

/** What the API answers about hooks and their deliveries, apart from the requests (hooks.ts): the hooks function constructs none of this at a cold start, and the dashboard takes these types without Node's crypto. */

export const HookResponse = z
  .object({
    id: Uuid,
    app: z.object({ id: Uuid }),
    kind: HookKindField,
    url: z.string().meta({
      description:
        'The whole URL for a key that may manage hooks (operator, admin). Any other key sees only its origin, then /… when it had more ' +
        '(https://hooks.slack.com/…): a Slack URL is itself the credential, and any URL may carry a token in its path or query.',
    }),
    url_redacted: z.boolean().meta({ description: 'True when `url` is shown as its origin only (see url).' }),
    events: z.array(z.string()),
    active: z.boolean(),
    options: z.record(z.string(), z.string()),
    has_secret: z.boolean(),
    legacy_signature: z.boolean().meta({
      description:
        'True for a webhook made before Slipway signed with Standard Webhooks: its deliveries also carry Slipway-Signature, Slipway-Event and Slipway-Event-Id (PATCH false to stop them). False for every hook made since.',
    }),
    previous_secret_expires_at: Timestamp.nullable().meta({
      description: 'After a rotation: until when the previous secret still signs each delivery (a second v1 signature); null otherwise.',
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Hook' });

export const CreatedHookResponse = HookResponse.extend({
  secret: z.string().nullable().meta({ description: 'Shown in this answer only: store it now.' }),
}).meta({ id: 'CreatedHook' });

const DeliveryAttemptResponse = z
  .object({
    at: Timestamp,
    status_code: z.number().int().nullable().meta({ description: "The receiver's status; null when no answer came (see error)." }),
    error: z.string().nullable().meta({ description: 'Why no answer came (refused: …, a timeout, a connection reset), else null. At most 1 KiB.' }),
    duration_ms: z.number().int().nonnegative(),
    response_excerpt: z.string().meta({ description: 'The first KiB of the answer ("" without one).' }),
    reason: z.enum(ATTEMPT_REASONS).meta({ description: 'scheduled: the first attempt or a retry; redelivery: asked for by redeliver; ping: a ping.' }),
  })
  .meta({ id: 'HookDeliveryAttempt' });

export const DeliveryResponse = z
  .object({
    id: z.string().meta({ description: "The event's id: a hook has one delivery per event." }),
    hook: z.object({ id: Uuid }),
    event: z.object({ id: z.string(), type: z.string() }),
    attempts: z.number().int().nonnegative().meta({ description: 'Every attempt made, redeliveries included.' }),
    outcome: z.enum(DELIVERY_OUTCOMES),
    status_code: z.number().int().nullable().meta({ description: "The newest attempt's (see attempt_log)." }),
    duration_ms: z.number().int().nullable(),
    response_excerpt: z.string().nullable().meta({ description: "The newest attempt's answer, or why none came." }),
    last_attempt_at: Timestamp.nullable(),
    next_attempt_at: Timestamp.nullable(),
    attempt_log: z.array(DeliveryAttemptResponse).meta({
      description: `The newest ${ATTEMPT_LOG_LIMITS.attempts} attempts, newest first: when, the status or the error, how long, the answer.`,
    }),
    created_at: Timestamp,
  })
  .meta({ id: 'HookDelivery' });

export type HookResponse = z.infer<typeof HookResponse>;
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;
