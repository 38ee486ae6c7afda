import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROUTES, routeKeyOf } from '../shared/api/routes';

const run = promisify(execFile);

/**
 * Runs in a fresh `node` with nothing preloaded: the time to import the bundle (what Lambda's init phase
 * does) and to answer the first event (the first invoke, which also opens the first DynamoDB connection).
 */
const PROBE = `
const started = performance.now();
const cpuAtStart = process.cpuUsage();
const { handler } = await import(process.argv[1]);
const imported = performance.now();
let outcome;
try {
  const result = await handler(JSON.parse(process.argv[2]), {
    functionName: 'bench', awsRequestId: 'cold-init', getRemainingTimeInMillis: () => 30000,
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:bench', memoryLimitInMB: '512',
  });
  outcome = result && typeof result === 'object' && 'statusCode' in result ? String(result.statusCode)
    : result && typeof result === 'object' && 'isAuthorized' in result ? 'authorized=' + result.isAuthorized
    : JSON.stringify(result ?? null).slice(0, 40);
} catch (error) {
  outcome = 'threw ' + (error && error.name);
}
const answered = performance.now();
const cpu = process.cpuUsage(cpuAtStart);
console.log('COLD_INIT ' + JSON.stringify({ importMs: imported - started, firstEventMs: answered - imported, cpuMs: (cpu.user + cpu.system) / 1000, outcome }));
`;

/**
 * What Lambda sets that changes what a function does at init: its name turns on metrics and, where the
 * deployment asks (SLIPWAY_TRACE_AWS_CALLS), X-Ray capture (the X-Ray SDK is loaded only then), the task root and a trace header give X-Ray its invocation segment.
 * Segments go by UDP to the default daemon address, where nothing listens: sending costs the same.
 */
export const LAMBDA_ENVIRONMENT: Record<string, string> = {
  AWS_LAMBDA_FUNCTION_NAME: 'slipway-bench',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  _X_AMZN_TRACE_ID: 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
};

/** Wall times, and the CPU time of the whole (import and first event): steadier than wall time on a loaded machine. */
export type ColdInit = { importMs: number; firstEventMs: number; totalMs: number; cpuMs: number; outcome: string };

/**
 * Runs `script` as an ES module in a fresh `node` (`flags` before it, `args` after it, nothing preloaded) and
 * returns what it printed after `marker` on its line: the probes print their figures so, beside the bundle's logs.
 */
export const printedAfter = async (
  marker: string,
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
  flags: readonly string[] = [],
): Promise<string> => {
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${marker} `));
  if (line === undefined) throw new Error(`the ${marker} probe of ${args[0] ?? '?'} printed no result:\n${stdout}`);
  return line.slice(marker.length + 1);
};

export const probeOnce = async (bundle: string, event: unknown, env: Record<string, string>): Promise<ColdInit> => {
  const printed = await printedAfter('COLD_INIT', PROBE, [pathToFileURL(bundle).href, JSON.stringify(event)], env);
  const figures = JSON.parse(printed) as Omit<ColdInit, 'totalMs'>;
  return { ...figures, totalMs: figures.importMs + figures.firstEventMs };
};

/**
 * The part of an import that is V8 compiling the bundle's text (parsing it whole, compiling its top-level code),
 * before any of it runs: a fresh `node` builds the bundle as a module and evaluates nothing.
 */
const COMPILE_PROBE = `
import { SourceTextModule } from 'node:vm';
import { readFileSync } from 'node:fs';
const text = readFileSync(process.argv[1], 'utf8');
const started = performance.now();
new SourceTextModule(text);
console.log('COMPILE ' + (performance.now() - started));
`;

export const compileOnce = async (bundle: string): Promise<number> =>
  Number(await printedAfter('COMPILE', COMPILE_PROBE, [bundle], {}, ['--experimental-vm-modules', '--no-warnings']));

export type BenchIdentity = { adminKey: string; appId: string; params: Record<string, string> };

/**
 * An HTTP function's first event: its first GET route (reads are what a cold function most often meets)
 * with real path parameters and a real admin key, as API Gateway passes it (the function authenticates).
 */
export const httpEvent = (fn: string, identity: BenchIdentity) => {
  const routes = ROUTES.filter((route) => route.fn === fn);
  const route = routes.find((candidate) => candidate.method === 'GET') ?? routes[0];
  if (!route) return undefined;
  const pathParameters: Record<string, string> = {};
  const rawPath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    pathParameters[name] = identity.params[name] ?? 'unknown';
    return encodeURIComponent(pathParameters[name]);
  });
  return {
    version: '2.0',
    routeKey: routeKeyOf(route),
    rawPath,
    rawQueryString: '',
    headers: { host: 'bench.local', authorization: `Bearer ${identity.adminKey}` },
    pathParameters,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.local',
      domainPrefix: 'bench',
      http: { method: route.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'cold-init',
      routeKey: routeKeyOf(route),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
};

/**
 * First events of the rollout's functions. They name a release version that does not exist, so each
 * answers after its first DynamoDB read (a refusal or 'ignored') and the bench's data stays as it was;
 * the queue reconciler gets its schedule's event and walks the (settled) queues of the bench's apps.
 */
export const rolloutEvent = (fn: string, identity: BenchIdentity): unknown => {
  const rollout = { appId: identity.appId, appName: 'bench', releaseId: 'cold-init', version: 999_999, deadlineSeconds: 1800 };
  const stateMachineArn = 'arn:aws:states:local:000000000000:stateMachine:SlipwayRollout';
  const deploy = {
    cluster: 'bench',
    service: 'bench-svc',
    taskDefinitionArn: 'arn:aws:ecs:local:000000000000:task-definition/bench:1',
    deploymentConfiguration: {},
    deadlineAt: new Date().toISOString(),
  };
  const events: Record<string, unknown> = {
    'rollout-lock': { rollout, stateMachineArn, taskToken: 'cold-init' },
    'rollout-deploy': { rollout },
    'rollout-await': { rollout, deploy, deploymentId: 'ecs-svc/cold-init', taskToken: 'cold-init' },
    'rollout-release-phase': { rollout, deploy, taskToken: 'cold-init' },
    'rollout-finish': { rollout, stateMachineArn, result: { outcome: 'COMPLETED', reason: null } },
    'rollout-reconcile': {
      version: '0',
      id: 'cold-init',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: new Date().toISOString(),
      resources: [],
      detail: {},
    },
    'ecs-deployment-events': {
      source: 'aws.ecs',
      'detail-type': 'ECS Deployment State Change',
      resources: [],
      detail: { eventName: 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId: 'ecs-svc/cold-init' },
    },
    'release-phase-events': {
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      resources: [],
      detail: { taskArn: 'arn:aws:ecs:local:000000000000:task/bench/cold-init', lastStatus: 'STOPPED', startedBy: 'slipway/release-phase/cold-init', containers: [] },
    },
    // A delivery's retry that is due, of a hook that does not exist: the worker reads it and drops the message.
    'hook-delivery': {
      Records: [
        {
          messageId: 'cold-init',
          body: JSON.stringify({ retry: { app_id: identity.appId, hook_id: 'cold-init', event_id: 'cold-init' }, due: new Date(0).toISOString() }),
        },
      ],
    },
    'ecs-task-events': {
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      time: new Date().toISOString(),
      resources: [],
      detail: { clusterArn: 'arn:aws:ecs:local:000000000000:cluster/bench', group: 'service:cold-init', lastStatus: 'RUNNING' },
    },
  };
  return events[fn];
};
