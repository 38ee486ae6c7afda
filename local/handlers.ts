import { handler as apps } from '../functions/apps';
import { handler as authorizer } from '../functions/authorizer';
import { handler as builds } from '../functions/builds';
import { handler as releases } from '../functions/releases';
import type { FunctionName } from '../shared/http/routes';
import type { Authorizer, HttpHandler } from './api-gateway';

/** The very Lambda handlers the CDK stack deploys, by function name. */
export const httpHandlers: Record<FunctionName, HttpHandler> = {
  apps,
  builds,
  releases,
  statuses: missingFunction('statuses'),
  pipelines: missingFunction('pipelines'),
};

export const localAuthorizer: Authorizer = authorizer;

function missingFunction(name: string): HttpHandler {
  return async () => ({
    statusCode: 501,
    body: JSON.stringify({ error: { code: 'not_implemented', message: `${name} is not built yet`, details: {} } }),
  });
}
