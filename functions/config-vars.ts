import { ConfigDiffQuery, UpdateConfigVarsRequest } from '../shared/api/config-vars';
import { presentConfigDiff } from '../shared/api/presenters';
import { actorOf, authorize } from '../shared/domain/access';
import { maskedConfig } from '../shared/domain/config-vars';
import { relayNotedEventsInBackground } from '../shared/events/relay';
import { createOnce } from '../shared/http/create-once';
import { httpFunction } from '../shared/http/http-function';
import { parseInput } from '../shared/http/request';
import { authenticateCaller } from '../shared/operations/authentication';
import { changeConfigVars, currentConfigVars, findConfigChange, releaseConfigDiff } from '../shared/operations/config-vars';

/**
 * An app's config vars and the config a release deployed. A function of its own because a config change
 * stores secret values (the SSM client): no other function carries that client or may write secrets.
 */
export const handler = httpFunction<'config-vars'>({
  'GET /apps/{app}/config-vars': async ({ principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    return { status: 200, body: maskedConfig(await currentConfigVars(app)) };
  },
  'PATCH /apps/{app}/config-vars': async (http) => {
    const { body, principal, annotate, pathApp } = http;
    const app = await pathApp();
    authorize(principal, 'releases:deploy', app.name);
    const change = parseInput(UpdateConfigVarsRequest(), body, 'body');
    const { value: outcome } = await createOnce(http, {
      operation: 'PATCH /apps/{app}/config-vars',
      resource: app.id,
      request: change,
      run: (id) => changeConfigVars(app, change, actorOf(principal), id),
      resume: (id) => findConfigChange(app, id),
    });
    const { release } = outcome;
    if (release) annotate({ releaseId: release.id, releaseVersion: release.version });
    return {
      status: 200,
      body: maskedConfig(outcome.config),
      ...(release ? { headers: { location: `/apps/${app.name}/releases/${release.id}` } } : {}),
    };
  },
  'GET /apps/{app}/releases/{release}/config-diff': async ({ params, query, principal, pathApp }) => {
    const app = await pathApp();
    authorize(principal, 'read', app.name);
    const { against } = parseInput(ConfigDiffQuery(), query, 'query');
    const compared = await releaseConfigDiff(app, params.release ?? '', against);
    return { status: 200, body: presentConfigDiff(compared.release, compared.against, compared.diff) };
  },
}, authenticateCaller, { afterRequest: relayNotedEventsInBackground });
