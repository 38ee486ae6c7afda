import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { config } from '../../shared/config/config';
import { ownEntry } from '../../shared/domain/own-entries';
import { logger } from '../../shared/observability/logger';
import { EcsApi, type EcsInput } from './api';
import type { OneOffTaskStateChangeEvent } from './one-off-tasks';
import {
  EcsApiError,
  type BatchSnapshot,
  type EcsEvent,
  type SimulatedServiceRef,
  type TaskStateChangeEvent,
} from './model';

export type { BatchSnapshot, DeploymentStateChangeEvent, TaskStateChangeEvent } from './model';
export type { OneOffTaskStateChangeEvent } from './one-off-tasks';

/**
 * The ECS SIMULATOR: an HTTP server speaking ECS's JSON 1.1 protocol on loopback so the unmodified
 * @aws-sdk/client-ecs (and so Slipway's real ECS adapter) can be pointed at it with ECS_ENDPOINT.
 * It simulates services rolling their tasks over in batches, one-off tasks (RunTask, with the CloudWatch Logs
 * their awslogs driver writes, see one-off-tasks.ts), blue/green, linear and canary deployments
 * shifting weighted traffic behind a simulated load balancer, health checks, the deployment circuit breaker
 * and CloudWatch alarms with rollback, "ECS Deployment State Change" events, and "ECS Task State Change"
 * events as each task comes up or stops; it runs no containers.
 *
 * Besides the ECS API (POST / with X-Amz-Target), it answers control routes for demos and tests:
 *   POST /simulator/services/{cluster}/{service}/health  {"healthy": false}  new tasks fail health checks
 *   POST /simulator/services/{cluster}/{service}         {"desiredCount"?, "container"?, "image"?, "loadBalancer"?: false}
 *                                                        create a service (by default behind a load balancer)
 *   POST /simulator/alarms/{name}  {"state": "ALARM" | "OK"}  a CloudWatch alarm deployments may watch
 *   POST /simulator/faults  {"operation": "UpdateService" | "*", "error": "ThrottlingException", "times"?: 1}
 */

type EcsFault = {
  /** An ECS operation name such as `UpdateService`, or `*` for any. */
  operation: string;
  /** The AWS error code returned, e.g. ThrottlingException, ServerException, ClientException. */
  error: string;
  message?: string;
  /** How many matching calls fail before the operation answers normally again. */
  times?: number;
};

export type EcsSimulatorOptions = {
  /** Time between two replacement batches of a deployment (default: ECS_SIMULATOR_BATCH_MS, or 300 ms). */
  batchIntervalMs?: number;
  /** A simulated minute, in which bake times are counted (default: ECS_SIMULATOR_MINUTE_MS, or 2 s). */
  minuteMs?: number;
  /** The same for a deployment whose image reference contains `slow` (default: ten times batchIntervalMs). */
  slowBatchIntervalMs?: number;
  /** Tasks a service gets when it is created on first reference. */
  defaultDesiredCount?: number;
  /** Deployment and hook state changes, in order, one at a time. */
  onDeploymentEvent?: (event: Exclude<EcsEvent, TaskStateChangeEvent>) => void | Promise<void>;
  /** Each task's state changes, a service's or a one-off task's; handled as they come, side by side, as a Lambda target's invocations are. */
  onTaskEvent?: (event: TaskStateChangeEvent | OneOffTaskStateChangeEvent) => void | Promise<void>;
  /** Where one-off tasks are kept, so they outlive a restart as ECS tasks outlive a crash of Slipway; none: in memory. */
  oneOffTaskFile?: string;
  /** Called after every replacement batch with the task counts it left. */
  onBatch?: (snapshot: BatchSnapshot) => void;
  /** false: unknown services are missing, as in ECS, instead of being created on first reference. */
  autoCreateServices?: boolean;
  /** The container name of a service's initial task definition (default: the service name). */
  initialContainerName?: (ref: SimulatedServiceRef) => Promise<string | null | undefined> | string | null | undefined;
  region?: string;
};

export type EcsSimulator = {
  endpoint: string;
  close: () => Promise<void>;
  setServiceHealth: (cluster: string, service: string, healthy: boolean) => void;
  ensureService: (
    cluster: string,
    service: string,
    shape?: { desiredCount?: number; container?: string; image?: string; loadBalancer?: boolean },
  ) => Promise<void>;
  injectFault: (fault: EcsFault) => void;
  setAlarm: (name: string, state: 'ALARM' | 'OK') => void;
  /** The share of production traffic the service's load balancer sends to each revision. */
  trafficOf: (cluster: string, service: string) => { taskDefinitionArn: string; percent: number }[] | undefined;
  minuteMs: number;
};

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const LOGS_TARGET_PREFIX = 'Logs_20140328.';
const ACCOUNT = '000000000000';
const SERVER_ERRORS = new Set(['ServerException', 'ServiceUnavailableException', 'InternalFailure']);
const SERVICE_ROUTE = /^\/simulator\/services\/([^/]+)\/([^/]+)(\/health)?$/;
const ALARM_ROUTE = /^\/simulator\/alarms\/([^/]+)$/;

/** The AWS JSON protocols carry timestamps as epoch seconds. */
const toWireJson = (body: unknown): string =>
  JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });

const readJson = async (request: IncomingMessage): Promise<EcsInput> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as EcsInput;
  } catch {
    // Falls through to the same refusal as a body that is JSON but not an object.
  }
  throw new EcsApiError('SerializationException', 'The request body is not a JSON object.');
};

const send = (response: ServerResponse, status: number, body: unknown, contentType = 'application/x-amz-json-1.1') => {
  response.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID() });
  response.end(toWireJson(body));
};

const sendError = (response: ServerResponse, error: EcsApiError) =>
  send(response, error.status, { __type: error.type, message: error.message });

export const startEcsSimulator = async (options: EcsSimulatorOptions = {}): Promise<EcsSimulator> => {
  let deliveries: Promise<void> = Promise.resolve();
  const taskDeliveries = new Set<Promise<void>>();
  let closed = false;
  const failed = (error: unknown) => logger.error('ECS SIMULATOR: event handler failed', { error: String(error) });
  const deliver = (event: EcsEvent | OneOffTaskStateChangeEvent) => {
    if (event['detail-type'] === 'ECS Task State Change') {
      const handler = options.onTaskEvent;
      if (!handler || closed) return;
      const delivery = Promise.resolve()
        .then(() => handler(event))
        .catch(failed);
      taskDeliveries.add(delivery);
      void delivery.finally(() => taskDeliveries.delete(delivery));
      return;
    }
    const handler = options.onDeploymentEvent;
    if (!handler) return;
    // In order, one at a time, as a consumer of an EventBridge rule sees them; a failing consumer is logged, not fatal.
    // Events still queued at close() are dropped, so closing never waits on consumers that are shutting down too.
    deliveries = deliveries.then(() => (closed ? undefined : handler(event))).catch(failed);
  };
  const minuteMs = options.minuteMs ?? config().ecsSimulatorMinuteMs;
  const batchIntervalMs = options.batchIntervalMs ?? config().ecsSimulatorBatchMs;
  const api = new EcsApi({
    region: options.region ?? process.env.AWS_REGION ?? 'local',
    account: ACCOUNT,
    minuteMs,
    batchIntervalMs,
    slowBatchIntervalMs: options.slowBatchIntervalMs ?? batchIntervalMs * 10,
    defaultDesiredCount: options.defaultDesiredCount ?? 3,
    autoCreateServices: options.autoCreateServices ?? true,
    initialContainerName: options.initialContainerName,
    emit: deliver,
    oneOffTasks: {
      tickMs: batchIntervalMs,
      stateFile: options.oneOffTaskFile,
      emit: deliver,
      log: (message) => logger.info(message),
    },
    onBatch: options.onBatch,
    log: (message) => logger.info(message),
  });

  const operations: Record<string, (input: EcsInput) => unknown> = {
    DescribeServices: (input) => api.describeServices(input),
    DescribeTaskDefinition: (input) => api.describeTaskDefinition(input),
    RegisterTaskDefinition: (input) => api.registerTaskDefinition(input),
    UpdateService: (input) => api.updateService(input),
    ListTasks: (input) => api.listTasks(input),
    DescribeTasks: (input) => api.describeTasks(input),
    DescribeServiceDeployments: (input) => api.describeServiceDeployments(input),
    StopServiceDeployment: (input) => api.stopServiceDeployment(input),
    ContinueServiceDeployment: (input) => api.continueServiceDeployment(input),
    RunTask: (input) => api.oneOffTasks.runTask(input),
    StopTask: (input) => api.oneOffTasks.stopTask(input),
  };
  /** CloudWatch Logs (JSON 1.1, target Logs_20140328.*), for what the one-off tasks' awslogs drivers wrote. */
  const logOperations: Record<string, (input: EcsInput) => unknown> = {
    GetLogEvents: (input) => api.oneOffTasks.getLogEvents(input),
  };

  const faults: Required<EcsFault>[] = [];
  const injectFault = (fault: EcsFault) => {
    const times = fault.times ?? 1;
    if (fault.operation !== '*' && !Object.hasOwn(operations, fault.operation)) {
      throw new EcsApiError('InvalidParameterException', `The ECS simulator has no operation '${fault.operation}'.`);
    }
    if (typeof fault.error !== 'string' || !Number.isInteger(times) || times < 1) {
      throw new EcsApiError('InvalidParameterException', 'A fault needs an error code and a positive integer times.');
    }
    faults.push({ operation: fault.operation, error: fault.error, message: fault.message ?? `Injected ${fault.error}.`, times });
  };
  const takeFault = (operation: string): EcsApiError | undefined => {
    const index = faults.findIndex((fault) => fault.operation === operation || fault.operation === '*');
    const fault = faults[index];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times === 0) faults.splice(index, 1);
    return new EcsApiError(fault.error, fault.message, SERVER_ERRORS.has(fault.error) ? 500 : 400);
  };

  const handleEcs = async (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers['x-amz-target'];
    const [prefix, table] = typeof target === 'string' && target.startsWith(LOGS_TARGET_PREFIX) ? [LOGS_TARGET_PREFIX, logOperations] : [TARGET_PREFIX, operations];
    const operation = typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : '';
    const run = ownEntry(table, operation);
    if (!run) {
      const named = typeof target === 'string' ? `'${target}'` : 'a request without X-Amz-Target';
      throw new EcsApiError('UnknownOperationException', `The ECS simulator does not implement ${named}.`);
    }
    const input = await readJson(request);
    const fault = takeFault(operation);
    if (fault) throw fault;
    send(response, 200, await run(input));
  };

  const handleControl = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    const body = await readJson(request);
    const route = SERVICE_ROUTE.exec(path);
    const alarm = ALARM_ROUTE.exec(path);
    if (path === '/simulator/faults') {
      injectFault(body as EcsFault);
    } else if (alarm) {
      api.setAlarm(decodeURIComponent(alarm[1] ?? ''), body.state);
    } else if (route?.[3]) {
      if (typeof body.healthy !== 'boolean') throw new EcsApiError('InvalidParameterException', 'healthy must be a boolean.');
      api.setServiceHealth(serviceRef(route), body.healthy);
    } else if (route) {
      await api.ensureService(serviceRef(route), body as { desiredCount?: number; container?: string; image?: string; loadBalancer?: boolean });
    } else {
      throw new EcsApiError('NotFound', `No ECS simulator control route ${path}.`, 404);
    }
    send(response, 200, { ok: true }, 'application/json');
  };

  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'POST') throw new EcsApiError('MethodNotAllowed', 'The ECS simulator only accepts POST.', 405);
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path.startsWith('/simulator/')) await handleControl(request, response, path);
      else await handleEcs(request, response);
    } catch (error) {
      if (error instanceof EcsApiError) {
        sendError(response, error);
        return;
      }
      logger.error('ECS SIMULATOR: request failed', { error: String(error) });
      sendError(response, new EcsApiError('ServerException', error instanceof Error ? error.message : String(error), 500));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  logger.info(`ECS SIMULATOR listening on ${endpoint} (simulated ECS, no containers run)`);

  return {
    endpoint,
    close: async () => {
      closed = true;
      api.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([deliveries, ...taskDeliveries]);
    },
    setServiceHealth: (cluster, service, healthy) => api.setServiceHealth({ cluster, service }, healthy),
    ensureService: async (cluster, service, shape) => {
      await api.ensureService({ cluster, service }, shape);
    },
    injectFault,
    setAlarm: (name, state) => api.setAlarm(name, state),
    trafficOf: (cluster, service) => api.trafficOf({ cluster, service }),
    minuteMs,
  };
};

const serviceRef = (route: RegExpExecArray): SimulatedServiceRef => ({
  cluster: decodeURIComponent(route[1] ?? ''),
  service: decodeURIComponent(route[2] ?? ''),
});
