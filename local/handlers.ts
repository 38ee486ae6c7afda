import { handler as apps } from '../functions/apps';
import { handler as authorizer } from '../functions/authorizer';
import { handler as builds } from '../functions/builds';
import { handler as keys } from '../functions/keys';
import { handler as openapi } from '../functions/openapi';
import { handler as pipelines } from '../functions/pipelines';
import { handler as releases } from '../functions/releases';
import { handler as statuses } from '../functions/statuses';
import type { FunctionName } from '../shared/http/routes';
import type { Authorizer, HttpHandler } from './api-gateway';

/** The very Lambda handlers the CDK stack deploys, by function name. */
export const httpHandlers: Record<FunctionName, HttpHandler> = {
  apps,
  builds,
  releases,
  statuses,
  pipelines,
  keys,
  openapi,
};

export const localAuthorizer: Authorizer = authorizer;
