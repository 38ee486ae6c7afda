import { presentDelivery, presentHook } from '../shared/api/presenters';
import { CreateHookRequest, ListDeliveriesQuery, RotateHookSecretRequest, UpdateHookRequest } from '../shared/api/hooks';
import { decodeDeliveryCursor, encodeDeliveryCursor } from '../shared/api/cursor';
import { actorOf, authorize, roleMay, type Principal } from '../shared/domain/access';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { authenticateCaller } from '../shared/operations/authentication';
import { config } from '../shared/config/config';
import { awsHookWorker } from '../shared/hooks/aws-worker';
import { useHookWorker } from '../shared/hooks/runtime';
import {
  createHook,
  getDeliveries,
  getHooks,
  openRotationEnd,
  pingHook,
  redeliver,
  removeHook,
  requireHook,
  rotateHookSecret,
  updateHook,
  type StoredHook,
} from '../shared/operations/hooks';

// In AWS secrets are sealed with KMS and redeliveries follow the AWS target policy; locally the runtime set the worker.
if (config().hookKmsKeyId) useHookWorker(awsHookWorker().worker);

/** A hook as `principal` may see it: its whole URL only for a key that may manage hooks, never its secret. */
const shownTo = (principal: Principal) => (stored: StoredHook) =>
  presentHook(
    stored.hook,
    { hasSecret: stored.secret !== null, previousSecretExpiresAt: openRotationEnd(stored, new Date()) },
    roleMay(principal.role, 'hooks:manage'),
  );

/** Reading hooks needs read on the app; changing them (they carry credentials and send data out) operator or admin. */
export const handler = httpFunction<'hooks'>({
  'POST /apps/{app}/hooks': async ({ body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    const request = parseInput(CreateHookRequest(), body, 'body');
    const { stored, secret } = await createHook(app, { ...request, events: request.events, secret: request.secret });
    return {
      status: 201,
      body: { ...shownTo(principal)(stored), secret },
      headers: { location: `/apps/${app.name}/hooks/${stored.hook.id}` },
    };
  },
  'GET /apps/{app}/hooks': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: (await getHooks(app)).map(shownTo(principal)) };
  },
  'GET /apps/{app}/hooks/{hook}': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const stored = await requireHook(app, params.hook ?? '');
    return { status: 200, body: shownTo(principal)(stored) };
  },
  'PATCH /apps/{app}/hooks/{hook}': async ({ params, body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    const stored = await updateHook(app, params.hook ?? '', parseInput(UpdateHookRequest(), body, 'body'));
    return { status: 200, body: shownTo(principal)(stored) };
  },
  'DELETE /apps/{app}/hooks/{hook}': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    const stored = await removeHook(app, params.hook ?? '');
    return { status: 200, body: shownTo(principal)(stored) };
  },
  'GET /apps/{app}/hooks/{hook}/deliveries': async ({ params, query, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const { limit, cursor } = parseInput(ListDeliveriesQuery(), query, 'query');
    const page = await getDeliveries(app, params.hook ?? '', { limit, after: cursor === undefined ? null : decodeDeliveryCursor(cursor) });
    return {
      status: 200,
      body: page.deliveries.map(presentDelivery),
      ...(page.next ? { headers: { 'next-cursor': encodeDeliveryCursor(page.next) } } : {}),
    };
  },
  'POST /apps/{app}/hooks/{hook}/deliveries/{delivery}/redeliver': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    return { status: 200, body: presentDelivery(await redeliver(app, params.hook ?? '', params.delivery ?? '')) };
  },
  'POST /apps/{app}/hooks/{hook}/rotate-secret': async ({ params, body, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    const request = parseInput(RotateHookSecretRequest(), body, 'body');
    const { stored, secret } = await rotateHookSecret(app, params.hook ?? '', {
      secret: request.secret,
      previousValidSeconds: request.previous_secret_valid_seconds,
    });
    return { status: 200, body: { ...shownTo(principal)(stored), secret } };
  },
  'POST /apps/{app}/hooks/{hook}/ping': async ({ params, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'hooks:manage', app.name);
    return { status: 200, body: presentDelivery(await pingHook(app, params.hook ?? '', actorOf(principal))) };
  },
}, authenticateCaller);
