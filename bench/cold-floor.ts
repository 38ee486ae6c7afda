import { pathToFileURL } from 'node:url';
import { bundleFunction, type BundleFigures } from './bundles';
import { compileOnce, printedAfter, probeOnce, type ColdInit } from './cold-init';
import { inTurn } from './in-turn';

/** A cold init must take at most this many times its floor's (median of the pairs' ratios). */
export const COLD_FLOOR_TARGET_RATIO = 1.3;
/**
 * Pairs of fresh processes per function. Ratios moved by ±0.15 between runs of five pairs on this two-CPU machine,
 * around a target most functions sit near: nine make each median steadier, on both sides alike.
 */
export const COLD_INIT_PAIRS = 9;

/**
 * One AWS call as it went over the wire: the service's JSON target, the action and the request body, and when
 * it was sent and answered (ms since the first event began), which tells the calls Slipway made side by side.
 */
type WireCall = { target: string; action: string; body: string; sentAt: number; answeredAt: number };

/**
 * Runs a bundle once as the cold-init probe does (fresh `node`, import, first event) and records, through
 * Node's HTTP client diagnostics channel, every AWS call its first event made: the floor replays the first.
 * Not timed: the recording wraps each request's body.
 */
const RECORDER = `
import diagnostics from 'node:diagnostics_channel';
const calls = [];
const answers = new WeakMap();
let importing = true;
let eventStarted = 0;
diagnostics.subscribe('http.client.response.finish', ({ request }) => {
  const call = answers.get(request);
  if (call) call.answeredAt = performance.now() - eventStarted;
});
diagnostics.subscribe('http.client.request.created', ({ request }) => {
  if (importing) return;
  const [target, action] = String(request.getHeader('x-amz-target') ?? '').split('.');
  const call = { target: target ?? '', action: action ?? '', body: '', sentAt: performance.now() - eventStarted, answeredAt: Number.NaN };
  calls.push(call);
  answers.set(request, call);
  const text = (chunk) => (chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : typeof chunk === 'string' ? chunk : '');
  const { write, end } = request;
  request.write = function (chunk, ...rest) { call.body += text(chunk); return write.call(this, chunk, ...rest); };
  request.end = function (chunk, ...rest) { call.body += text(chunk); return end.call(this, chunk, ...rest); };
});
const { handler } = await import(process.argv[1]);
importing = false;
eventStarted = performance.now();
try {
  await handler(JSON.parse(process.argv[2]), {
    functionName: 'bench', awsRequestId: 'cold-init', getRemainingTimeInMillis: () => 30000,
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:bench', memoryLimitInMB: '512',
  });
} catch {}
console.log('WIRE_CALLS ' + JSON.stringify(calls));
`;

const recordWireCalls = async (bundle: string, event: unknown, env: Record<string, string>): Promise<WireCall[]> =>
  JSON.parse(await printedAfter('WIRE_CALLS', RECORDER, [pathToFileURL(bundle).href, JSON.stringify(event)], env)) as WireCall[];

/**
 * The SDK clients Slipway makes, by package: the class, the JSON target its calls carry, and the variable
 * that points it at a local stand-in (as shared/config/config.ts reads it).
 */
const CLIENTS: Record<string, { className: string; target: string; endpointVariable?: string }> = {
  '@aws-sdk/client-dynamodb': { className: 'DynamoDBClient', target: 'DynamoDB_20120810', endpointVariable: 'DYNAMODB_ENDPOINT' },
  '@aws-sdk/client-ecs': { className: 'ECSClient', target: 'AmazonEC2ContainerServiceV20141113', endpointVariable: 'ECS_ENDPOINT' },
  '@aws-sdk/client-sfn': { className: 'SFNClient', target: 'AWSStepFunctions', endpointVariable: 'SFN_ENDPOINT' },
  '@aws-sdk/client-cloudwatch-logs': { className: 'CloudWatchLogsClient', target: 'Logs_20140328', endpointVariable: 'LOGS_ENDPOINT' },
  '@aws-sdk/client-eventbridge': { className: 'EventBridgeClient', target: 'AWSEvents' },
  '@aws-sdk/client-ssm': { className: 'SSMClient', target: 'AmazonSSM' },
  '@aws-sdk/client-kms': { className: 'KMSClient', target: 'TrentService' },
  '@aws-sdk/client-sqs': { className: 'SQSClient', target: 'AmazonSQS' },
};

const countedActions = (calls: readonly WireCall[]): string => {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.action, (counts.get(call.action) ?? 0) + 1);
  return [...counts].map(([action, count]) => (count > 1 ? `${action} ×${count}` : action)).join(', ');
};

/** The calls in rounds: a call sent before every call of the round so far was answered goes beside them. */
const roundsOf = (calls: readonly WireCall[]): WireCall[][] => {
  const rounds: WireCall[][] = [];
  let roundAnsweredAt = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.sentAt - b.sentAt)) {
    const round = rounds.at(-1);
    if (round && call.sentAt < roundAnsweredAt) {
      round.push(call);
      roundAnsweredAt = Math.max(roundAnsweredAt, call.answeredAt);
    } else {
      rounds.push([call]);
      roundAnsweredAt = call.answeredAt;
    }
  }
  return rounds;
};

/**
 * A bare function: the SDK clients the Slipway bundle carries (and the document client if it does), each
 * constructed as Slipway's are, and a handler that sends calls of the Slipway function's first event with the
 * very inputs it sent (round after round, a round's calls side by side), then answers. No framework, no
 * validation, no tracing, nothing else; no logging either, unless `logs` asks for the one line every Slipway
 * function writes per request, with the Powertools Logger Slipway's logger is.
 */
const floorSource = (packages: readonly string[], rounds: readonly (readonly WireCall[])[], logs = false): string => {
  const calls = rounds.flat();
  const clients = Object.entries(CLIENTS).filter(([name, client]) => packages.includes(name) || calls.some((call) => call.target === client.target));
  const lines = [
    "const configOf = (endpoint: string | undefined) => ({ maxAttempts: 5, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true }, ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });",
  ];
  const imports: string[] = [];
  const clientOf = new Map<string, string>();
  clients.forEach(([name, client], index) => {
    const commands = [...new Set(calls.filter((call) => call.target === client.target).map((call) => `${call.action}Command`))];
    imports.push(`import { ${[client.className, ...commands].join(', ')} } from '${name}';`);
    const endpoint = client.endpointVariable ? `process.env.${client.endpointVariable}` : 'undefined';
    lines.push(`const client${index} = new ${client.className}(configOf(${endpoint}));`);
    clientOf.set(client.target, `client${index}`);
    if (name === '@aws-sdk/client-dynamodb' && packages.includes('@aws-sdk/lib-dynamodb')) {
      imports.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
      lines.push(`export const documents = DynamoDBDocumentClient.from(client${index});`);
    }
  });
  // A refused call (a task token that was never issued) is answered all the same; the floor goes on as Slipway does.
  const sendOf = (call: WireCall) => `${clientOf.get(call.target)}.send(new ${call.action}Command(${call.body || '{}'}))`;
  const send = rounds
    .map((round) => (round.length === 1 && round[0] ? `await ${sendOf(round[0])}.catch(() => undefined);` : `await Promise.all([${round.map((call) => `${sendOf(call)}.catch(() => undefined)`).join(', ')}]);`))
    .join(' ');
  if (logs) {
    imports.push("import { Logger } from '@aws-lambda-powertools/logger';");
    lines.push("const logger = new Logger({ serviceName: 'slipway' });");
  }
  const log = logs ? "logger.info('served', { statusCode: 200 });" : '';
  lines.push(`export const handler = async () => { ${send} ${log} return { statusCode: 200 }; };`);
  return [...imports, ...lines].join('\n');
};

export type FloorPair = {
  name: string;
  slipway: ColdInit;
  floor: ColdInit;
  /** Median over the pairs of Slipway's total over the floor's. */
  ratio: number;
  /** The same of CPU times. */
  cpuRatio: number;
  /** Slipway deployed with AWS SDK calls traced (`-c slipway:traceAwsCalls=true`), in the same pairs, and its ratio. */
  traced: ColdInit;
  tracedRatio: number;
  /**
   * Context, not the target: a floor making every call Slipway's first event made (rounds side by side as Slipway's
   * were), or, where it made none, one that only logs a line; with one call, the floor itself. And Slipway's ratio to it.
   */
  context: ColdInit;
  contextRatio: number;
  /** The floor's call (`DynamoDB_20120810.BatchGetItem`), or none; and how many AWS calls Slipway's first event made. */
  firstCall: string;
  slipwayCalls: number;
  /** Slipway's calls by action, in the order first made: `Query ×7, GetItem ×9`. */
  slipwayCallActions: string;
  slipwayBundle: BundleFigures;
  floorBundle: BundleFigures;
  /** Medians of compiling each bundle alone (no evaluation): the share of the import its bytes cost. */
  compileMs: { slipway: number; floor: number };
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const medianInit = (samples: ColdInit[]): ColdInit => ({
  importMs: median(samples.map((sample) => sample.importMs)),
  firstEventMs: median(samples.map((sample) => sample.firstEventMs)),
  totalMs: median(samples.map((sample) => sample.totalMs)),
  cpuMs: median(samples.map((sample) => sample.cpuMs)),
  outcome: samples.at(-1)?.outcome ?? '',
});

/**
 * The function's floor, bundled with the same options, then `runs` pairs of fresh processes (Slipway and its
 * floor back to back, first in turn) so load on the machine weighs on both sides of each ratio alike.
 */
export const measureAgainstFloor = async (
  slipwayBundle: BundleFigures,
  event: unknown,
  env: Record<string, string>,
  outDir: string,
  runs = COLD_INIT_PAIRS,
): Promise<FloorPair> => {
  const calls = await recordWireCalls(slipwayBundle.file, event, env);
  const first = calls[0];
  const packages = slipwayBundle.packages.map((entry) => entry.path);
  const floorBundle = await bundleFunction(`floor-${slipwayBundle.name}`, { source: floorSource(packages, first ? [[first]] : []) }, outDir);
  // Context, not the target: the same bare function making every call Slipway's first event made, as it made them.
  // With no call to make, the context is the least any Slipway function does: log its one line.
  const contextBundle =
    calls.length > 1
      ? await bundleFunction(`every-call-${slipwayBundle.name}`, { source: floorSource(packages, roundsOf(calls)) }, outDir)
      : calls.length === 0
        ? await bundleFunction(`logging-${slipwayBundle.name}`, { source: floorSource(packages, [], true) }, outDir)
        : floorBundle;
  const tracedBundle = await bundleFunction(`traced-${slipwayBundle.name}`, slipwayBundle.entry, outDir, { traced: true });
  const slipway: ColdInit[] = [];
  const floor: ColdInit[] = [];
  const traced: ColdInit[] = [];
  const context: ColdInit[] = [];
  const compiled = { slipway: [] as number[], floor: [] as number[] };
  for (let index = 0; index < runs; index++) {
    const [slipwaySample, floorSample] = await inTurn(
      index,
      () => probeOnce(slipwayBundle.file, event, env),
      () => probeOnce(floorBundle.file, event, env),
    );
    slipway.push(slipwaySample);
    floor.push(floorSample);
    traced.push(await probeOnce(tracedBundle.file, event, { ...env, SLIPWAY_TRACE_AWS_CALLS: 'true' }));
    context.push(contextBundle === floorBundle ? floorSample : await probeOnce(contextBundle.file, event, env));
    compiled.slipway.push(await compileOnce(slipwayBundle.file));
    compiled.floor.push(await compileOnce(floorBundle.file));
  }
  const ratioOf = (samples: ColdInit[], of: (sample: ColdInit) => number, to = floor) =>
    median(samples.map((sample, index) => of(sample) / of(to[index] ?? { importMs: 0, firstEventMs: 0, totalMs: Number.NaN, cpuMs: Number.NaN, outcome: '' })));
  return {
    name: slipwayBundle.name,
    slipway: medianInit(slipway),
    floor: medianInit(floor),
    ratio: ratioOf(slipway, (sample) => sample.totalMs),
    cpuRatio: ratioOf(slipway, (sample) => sample.cpuMs),
    traced: medianInit(traced),
    tracedRatio: ratioOf(traced, (sample) => sample.totalMs),
    context: medianInit(context),
    contextRatio: ratioOf(slipway, (sample) => sample.totalMs, context),
    firstCall: first ? `${first.target}.${first.action}` : 'none',
    slipwayCalls: calls.length,
    slipwayCallActions: countedActions(calls),
    slipwayBundle,
    floorBundle,
    compileMs: { slipway: median(compiled.slipway), floor: median(compiled.floor) },
  };
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The packages Slipway's bundle carries beyond its floor's, largest first: where its extra import time comes from. */
const beyondFloor = (pair: FloorPair): string => {
  const floorBytes = new Map(pair.floorBundle.packages.map((entry) => [entry.path, entry.bytes]));
  return pair.slipwayBundle.packages
    .map((entry) => ({ path: entry.path, bytes: entry.bytes - (floorBytes.get(entry.path) ?? 0) }))
    .filter((entry) => entry.bytes >= 4 * 1024)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6)
    .map((entry) => `${entry.path} ${kb(entry.bytes)}`)
    .join(', ');
};

/** The worst ratio among functions whose first event makes an AWS call (an empty floor makes any ratio huge). */
export const worstFloorRatio = (pairs: readonly FloorPair[]): FloorPair | undefined =>
  pairs
    .filter((pair) => pair.firstCall !== 'none')
    .reduce<FloorPair | undefined>((worst, pair) => (!worst || pair.ratio > worst.ratio ? pair : worst), undefined);

/** The Targets table's row: every function's cold init within the target ratio of its floor's. */
export const coldFloorTarget = (pairs: readonly FloorPair[]): [string, string, string] => {
  const over = pairs.filter((pair) => !(pair.ratio <= COLD_FLOOR_TARGET_RATIO));
  const worst = worstFloorRatio(pairs);
  const best = pairs.reduce<FloorPair | undefined>((low, pair) => (!low || pair.ratio < low.ratio ? pair : low), undefined);
  const empty = pairs.filter((pair) => pair.firstCall === 'none');
  return [
    `cold init ≤ ${COLD_FLOOR_TARGET_RATIO}× its floor's (same SDK clients and first call, same esbuild options), every function`,
    `${pairs.length - over.length} of ${pairs.length} within; best ${best?.name ?? '?'} ${best?.ratio.toFixed(2) ?? '?'}×, worst ${worst?.name ?? '?'} ${worst?.ratio.toFixed(2) ?? '?'}×` +
      (empty.length > 0
        ? `; no AWS call, so an empty floor: ${empty
            .map((pair) => `${pair.name} ${pair.slipway.totalMs.toFixed(0)} ms (${pair.contextRatio.toFixed(2)}× a bare function that only logs one line)`)
            .join(', ')}`
        : ''),
    over.length === 0 && pairs.length > 0 ? 'met' : '**missed**',
  ];
};

const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export const renderColdFloors = (pairs: readonly FloorPair[]): string => `## Cold init against each function's floor

Each function's floor is a bare function bundled with the same esbuild options (bench/cold-floor.ts): it imports
the AWS SDK clients the function's bundle carries (and the document client where it does), constructs them as
Slipway does, and in its handler sends the function's first AWS call of the same first event with the very input
the function sent (recorded off the wire in an untimed run), nothing else: no framework, validation, logging,
metrics or tracing. Both run in a fresh \`node\` per sample with a deployed function's environment (Lambda's
variables, so metrics and the X-Ray SDK load as in Lambda; endpoints of a local Slipway's dynalite, Step
Functions and ECS simulator): \`import()\` of the bundle, then the first event (an HTTP function's first GET
route with a real admin key; a rollout step naming a release version that does not exist, so it answers after
its first reads and changes nothing; the reconciler's schedule; an ECS event nobody waits for; a hook delivery's
due retry of a hook that does not exist). ${COLD_INIT_PAIRS} pairs, Slipway and its floor back to back, first in turn; the ratio is the
median of the pairs' ratios of totals. CPU time (user + system of the probe's process, import and first event)
is beside it: on a loaded machine it moves far less than wall time. Each pair has a third probe, Slipway deployed
with \`-c slipway:traceAwsCalls=true\` (the default before it became an option): the X-Ray lever's before/after, and
two more fresh processes that only compile each bundle (\`vm.SourceTextModule\`: V8 parses the whole text and compiles
its top-level code, nothing runs), the part of each import that grows with the bundle's bytes. For context only (the
target stays on the first call), a fourth probe: the floor making every AWS call Slipway's first event made, with
the recorded inputs, calls Slipway had in flight together sent together; Slipway's ratio to it is what its own code,
schemas and tooling add beyond the calls its route needs. A function whose first event makes no AWS call (the dashboard's page,
the OpenAPI document) has an empty floor: its whole cold init is Slipway's own. Its context is instead a bare function
that logs one line with the Powertools Logger, as every Slipway function logs each request: no function that logs can come
within ${COLD_FLOOR_TARGET_RATIO}× of an empty one, and this shows how far.

${table(
  ['function', 'Slipway import + first event ms', 'floor import + first event ms', 'ratio', 'verdict', 'CPU ms Slipway / floor (ratio)', 'of the imports, compiling ms Slipway / floor', 'with SDK calls traced: ms (ratio)', 'context: a floor making all of Slipway\'s calls (with none, logging one line), ms (Slipway\'s ratio)', 'first call (Slipway\'s calls: how many, which)', 'bytes Slipway / floor', 'beyond the floor, by package'],
  pairs.map((pair) => [
    pair.name,
    `${pair.slipway.importMs.toFixed(0)} + ${pair.slipway.firstEventMs.toFixed(0)} = ${pair.slipway.totalMs.toFixed(0)}`,
    `${pair.floor.importMs.toFixed(0)} + ${pair.floor.firstEventMs.toFixed(0)} = ${pair.floor.totalMs.toFixed(0)}`,
    `${pair.ratio.toFixed(2)}×`,
    pair.ratio <= COLD_FLOOR_TARGET_RATIO ? 'met' : '**missed**',
    `${pair.slipway.cpuMs.toFixed(0)} / ${pair.floor.cpuMs.toFixed(0)} (${pair.cpuRatio.toFixed(2)}×)`,
    `${pair.compileMs.slipway.toFixed(0)} / ${pair.compileMs.floor.toFixed(0)}`,
    `${pair.traced.totalMs.toFixed(0)} (${pair.tracedRatio.toFixed(2)}×)`,
    pair.slipwayCalls === 1 ? 'its floor' : `${pair.context.totalMs.toFixed(0)} (${pair.contextRatio.toFixed(2)}×)${pair.slipwayCalls === 0 ? ', logging one line' : ''}`,
    `${pair.firstCall.replace(/^[A-Za-z0-9_]+\./, '')} (${pair.slipwayCalls}: ${pair.slipwayCallActions || 'none'}; ${pair.slipway.outcome})`,
    `${kb(pair.slipwayBundle.bytes)} / ${kb(pair.floorBundle.bytes)}`,
    beyondFloor(pair),
  ]),
)}
`;
