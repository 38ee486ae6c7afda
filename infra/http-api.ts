import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocumentText } from '../shared/api/openapi';
import { FUNCTION_NAMES, OPENAPI_DOCUMENT_FILE, PUBLIC_ROUTE_KEYS, ROUTES, routeKeyOf, type FunctionName } from '../shared/api/routes';
import { writeDashboard } from '../web/build';
import type { Rollout } from './rollout';
import { grantSecretParameters } from './secret-grants';
import { slipwayFunction } from './slipway-function';
import { grantApiKeyItems, grantTableData } from './slipway-table';

/**
 * What each HTTP function may touch beyond serving its routes. API-key items belong to the key routes
 * alone; every other function that uses the table may only look a key up by its hash (each function
 * authenticates its own requests) and is denied everything else of them. Functions that record releases (deploys,
 * promotions, config changes, auto-releases on a succeeded build) start rollouts; those that can record a
 * rollback (its POST, an automatic rollback on a failed check) also move the app's queue, as a rollback
 * overtakes it at once. The OpenAPI document is built from the schemas alone. A new function name fails to
 * compile until it is given its access here, and infra/aws-calls.ts lists the calls it makes.
 */
export type TableAccess = 'none' | 'api-keys' | 'all-but-api-keys';
export type RolloutAccess = 'none' | 'starts' | 'moves-queue';
export const FUNCTION_ACCESS: Readonly<
  Record<FunctionName, { table: TableAccess; rollouts: RolloutAccess; writesSecrets?: true; readsServices?: true; answersHolds?: true; readsReleasePhaseOutput?: true }>
> = {
  // Both tell how many tasks run a release now (the app's current one; each listed one); apps also reads the app's
  // ECS service when it is given a strategy that shifts traffic (does it have the load balancer for it?).
  apps: { table: 'all-but-api-keys', rollouts: 'none', readsServices: true },
  builds: { table: 'all-but-api-keys', rollouts: 'starts' },
  // Operators approve, promote and abort releases at their holds (a status check a gate waits for is answered at
  // once); releases reads a release phase's output from CloudWatch Logs.
  releases: { table: 'all-but-api-keys', rollouts: 'moves-queue', readsServices: true, answersHolds: true, readsReleasePhaseOutput: true },
  // Config changes (PATCH /apps/{app}/config-vars) store secret values and release the new config.
  'config-vars': { table: 'all-but-api-keys', rollouts: 'starts', writesSecrets: true },
  statuses: { table: 'all-but-api-keys', rollouts: 'moves-queue', answersHolds: true },
  pipelines: { table: 'all-but-api-keys', rollouts: 'starts' },
  keys: { table: 'api-keys', rollouts: 'none' },
  hooks: { table: 'all-but-api-keys', rollouts: 'none' },
  openapi: { table: 'none', rollouts: 'none' },
  dashboard: { table: 'none', rollouts: 'none' },
};

/**
 * Files a function's bundle carries beside its code: the dashboard's page and assets, built from web/, and the
 * OpenAPI document, built from the API's schemas (so the openapi function builds none at a cold start).
 */
export const FUNCTION_FILES: Partial<Record<FunctionName, (outputDir: string) => void>> = {
  dashboard: (outputDir) => writeDashboard(join(outputDir, 'dashboard')),
  openapi: (outputDir) => writeFileSync(join(outputDir, OPENAPI_DOCUMENT_FILE), openApiDocumentText()),
};

/** What the HTTP API needs of the rollout: its state machine and the rights on it. */
export type RolloutGrants = Pick<
  Rollout,
  'stateMachine' | 'grantStartRollouts' | 'grantQueueMoves' | 'grantReadServices' | 'grantAnswerHolds' | 'grantReadReleasePhaseOutput'
>;

const ROLLOUT_GRANTS: Record<RolloutAccess, (fn: NodejsFunction, rollout: RolloutGrants) => void> = {
  none: () => {},
  starts: (fn, rollout) => rollout.grantStartRollouts(fn),
  'moves-queue': (fn, rollout) => rollout.grantQueueMoves(fn),
};

const TABLE_GRANTS: Record<TableAccess, (fn: NodejsFunction, table: ITableV2) => void> = {
  none: () => {},
  'api-keys': grantApiKeyItems,
  'all-but-api-keys': (fn, table) => grantTableData(fn, table, 'read-write', { keyLookup: true }),
};

/**
 * Stage-wide limits: far above what CI pipelines and operators send, low enough that a runaway client
 * cannot run up the DynamoDB and Lambda bill. Per-account API Gateway quotas still apply on top.
 */
const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * Access log fields. Only the route key is logged, never the raw path or query string, because an API key
 * may arrive as `?access_token=`.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

const pascalCase = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());

/**
 * The HTTP API: one route per entry of the shared route table, each served by its function. No API
 * Gateway authorizer: each function authenticates its own requests (shared/http/http-function.ts), so a
 * request costs one Lambda invocation, a revoked key is refused at once and a missing key gets Slipway's
 * JSON 401.
 */
export class SlipwayHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions: ReadonlyMap<FunctionName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: { table: ITableV2; rollout: RolloutGrants }) {
    super(scope, id);
    const stateEnvironment = {
      SLIPWAY_TABLE: props.table.tableName,
      ROLLOUT_STATE_MACHINE_ARN: props.rollout.stateMachine.stateMachineArn,
    };

    this.functions = new Map(
      FUNCTION_NAMES.map((name) => {
        const access = FUNCTION_ACCESS[name];
        const fn = slipwayFunction(this, `${pascalCase(name)}Function`, {
          entry: `functions/${name}.ts`,
          description: `Slipway ${name} API`,
          ...(access.table === 'none' ? {} : { environment: stateEnvironment }),
          ...(FUNCTION_FILES[name] ? { addFiles: FUNCTION_FILES[name] } : {}),
        });
        TABLE_GRANTS[access.table](fn, props.table);
        ROLLOUT_GRANTS[access.rollouts](fn, props.rollout);
        if (access.readsServices) props.rollout.grantReadServices(fn);
        if (access.answersHolds) props.rollout.grantAnswerHolds(fn);
        if (access.readsReleasePhaseOutput) props.rollout.grantReadReleasePhaseOutput(fn);
        grantSecretParameters(fn, { writes: access.writesSecrets === true });
        return [name, fn] as const;
      }),
    );

    // One per function, built over FUNCTION_NAMES like this.functions, so every function has its key.
    const integrations = Object.fromEntries(
      [...this.functions].map(([name, fn]) => [name, new HttpLambdaIntegration(`${pascalCase(name)}Integration`, fn)]),
    ) as Record<FunctionName, HttpLambdaIntegration>;
    this.api = new HttpApi(this, 'Api', {
      description: 'Slipway release controller API',
      createDefaultStage: false,
      // Requests matching no route get Slipway's JSON 404 (from the public openapi function, which has no
      // such route) instead of API Gateway's bare {"message":"Not Found"}.
      defaultIntegration: integrations.openapi,
    });
    Validations.of(this.api.node.findChild('DefaultRoute')).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers a JSON 404 for paths no route matches; it reads and returns no data.',
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    for (const route of ROUTES) {
      const added = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.fn],
      });
      for (const addedRoute of added) {
        Validations.of(addedRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: PUBLIC_ROUTE_KEYS.has(routeKeyOf(route))
            ? `${routeKeyOf(route)} is in PUBLIC_ROUTE_KEYS (shared/api/routes.ts): it serves no tenant data, ` +
              'only what any client needs before it has a key, such as the OpenAPI document.'
            : 'The function behind the route authenticates every request itself (an API key looked up by its hash ' +
              'on each request, shared/http/http-function.ts) before it reads or changes anything.',
        });
      }
    }
  }
}
