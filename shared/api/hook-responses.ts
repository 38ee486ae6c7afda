import * as z from 'zod/mini';
import { ATTEMPT_LOG_LIMITS, ATTEMPT_REASONS, DELIVERY_OUTCOMES } from '../domain/hook-vocabulary';
import { Timestamp, Uuid } from './common';
import { HookKindField } from './hook-kind';

/** What the API answers about hooks and their deliveries, apart from the requests (hooks.ts): the hooks function constructs none of this at a cold start, and the dashboard takes these types without Node's crypto. */

export const HookResponse = z
  .object({
    id: Uuid,
    app: z.object({ id: Uuid }),
    kind: HookKindField,
    url: z.string().check(
      z.meta({
        description:
          'The whole URL for a key that may manage hooks (operator, admin). Any other key sees only its origin, then /… when it had more ' +
          '(https://hooks.slack.com/…): a Slack URL is itself the credential, and any URL may carry a token in its path or query.',
      }),
    ),
    url_redacted: z.boolean().check(z.meta({ description: 'True when `url` is shown as its origin only (see url).' })),
    events: z.array(z.string()),
    active: z.boolean(),
    options: z.record(z.string(), z.string()),
    has_secret: z.boolean(),
    legacy_signature: z.boolean().check(
      z.meta({
        description:
          'True for a webhook made before Slipway signed with Standard Webhooks: its deliveries also carry Slipway-Signature, Slipway-Event and Slipway-Event-Id (PATCH false to stop them). False for every hook made since.',
      }),
    ),
    previous_secret_expires_at: z.nullable(Timestamp()).check(
      z.meta({
        description: 'After a rotation: until when the previous secret still signs each delivery (a second v1 signature); null otherwise.',
      }),
    ),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'Hook' });

export const CreatedHookResponse = z
  .extend(HookResponse, {
    secret: z.nullable(z.string()).check(z.meta({ description: 'Shown in this answer only: store it now.' })),
  })
  .register(z.globalRegistry, { id: 'CreatedHook' });

const DeliveryAttemptResponse = z
  .object({
    at: Timestamp(),
    status_code: z.nullable(z.int()).check(z.meta({ description: "The receiver's status; null when no answer came (see error)." })),
    error: z
      .nullable(z.string())
      .check(z.meta({ description: 'Why no answer came (refused: …, a timeout, a connection reset), else null. At most 1 KiB.' })),
    duration_ms: z.int().check(z.nonnegative()),
    response_excerpt: z.string().check(z.meta({ description: 'The first KiB of the answer ("" without one).' })),
    reason: z
      .enum(ATTEMPT_REASONS)
      .check(z.meta({ description: 'scheduled: the first attempt or a retry; redelivery: asked for by redeliver; ping: a ping.' })),
  })
  .register(z.globalRegistry, { id: 'HookDeliveryAttempt' });

export const DeliveryResponse = z
  .object({
    id: z.string().check(z.meta({ description: "The event's id: a hook has one delivery per event." })),
    hook: z.object({ id: Uuid }),
    event: z.object({ id: z.string(), type: z.string() }),
    attempts: z.int().check(z.nonnegative(), z.meta({ description: 'Every attempt made, redeliveries included.' })),
    outcome: z.enum(DELIVERY_OUTCOMES),
    status_code: z.nullable(z.int()).check(z.meta({ description: "The newest attempt's (see attempt_log)." })),
    duration_ms: z.nullable(z.int()),
    response_excerpt: z.nullable(z.string()).check(z.meta({ description: "The newest attempt's answer, or why none came." })),
    last_attempt_at: z.nullable(Timestamp()),
    next_attempt_at: z.nullable(Timestamp()),
    attempt_log: z.array(DeliveryAttemptResponse).check(
      z.meta({
        description: `The newest ${ATTEMPT_LOG_LIMITS.attempts} attempts, newest first: when, the status or the error, how long, the answer.`,
      }),
    ),
    created_at: Timestamp(),
  })
  .register(z.globalRegistry, { id: 'HookDelivery' });

export type HookResponse = z.infer<typeof HookResponse>;
export type DeliveryResponse = z.infer<typeof DeliveryResponse>;
