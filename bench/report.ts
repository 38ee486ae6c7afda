import type { BundleFigures } from './bundles';
import type { BurstFigures } from './burst';
import type { CallCensus } from './calls';
import { POLLING, PRICES, RELEASE_REQUESTS, type CostModel } from './cost-model';
import { createFloorRow, renderCreateCensus } from './create-census';
import { COLD_FLOOR_TARGET_RATIO, coldFloorTarget, renderColdFloors, worstFloorRatio, type FloorPair } from './cold-floor';
import type { DashboardFigures } from './dashboard';
import type { FilteredTiming, PageTiming } from './deep-history';
import { LOAD_SETUP, type LoadFigures } from './http-load';
import { RESCUE_OVERHEAD_TARGET_MS, type RescueFigures } from './rescue';
import type { RolloutOverhead, TransitionFigures } from './transitions';

export const TARGETS = {
  bundleBytes: 250 * 1024,
  coldInitMs: 100,
  /** Get-release throughput over the floor's, median of the paired runs. */
  getToFloorRatio: 0.9,
  /** Get-release p99 over the floor's, median of the paired runs. */
  getP99ToFloorRatio: 1.2,
  invocationsPerRequest: 1,
  readsPerRequest: 2,
  transitionsPerRelease: 6,
  /** "As fast as": a deep page's median within this factor of the shallow app's. */
  deepToShallowRatio: 1.25,
  /** p99 of a create with this many in flight on one app. */
  burstInFlight: 50,
  burstP99Ms: 2_000,
  /** JavaScript the dashboard ships to a browser, gzipped. */
  dashboardJsGzipBytes: 100 * 1024,
};

export type BenchResults = {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadBefore: number; loadAfter: number };
  bundles: BundleFigures[];
  dashboard: DashboardFigures;
  http: LoadFigures[];
  bursts: BurstFigures[];
  coldInits: FloorPair[];
  history: { seedSeconds: number; pages: PageTiming[]; filtered: FilteredTiming[] };
  transitions: TransitionFigures[];
  rescue: RescueFigures;
  floorPairs: { slipway: LoadFigures; floor: LoadFigures }[];
  createPairs: { slipway: LoadFigures; floor: LoadFigures }[];
  census: CallCensus;
  overhead: RolloutOverhead;
  costs: CostModel[];
  durationSeconds: number;
};

const worstRescueOverhead = (rescue: RescueFigures) =>
  Math.max(...rescue.rescueMs.map((ms, round) => ms - (rescue.deploymentMs[round] ?? Number.NaN)));

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

type Headline = { biggest: number; slowest: number; floorRatio: number; deepRatio: number; mostReads: number };

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const dollars = (value: number) => `$${value.toFixed(value < 0.01 ? 5 : 3)}`;

const packagesOf = (bundle: BundleFigures) => bundle.heaviest.map((input) => `${input.path} ${kb(input.bytes)}`).join(', ');

/** What separates the functions with a floor from it, in this run: compiling their bytes, and the calls beyond the first. */
const leftOver = (pairs: readonly FloorPair[]): string => {
  const withFloor = pairs.filter((pair) => pair.firstCall !== 'none');
  const compileGaps = withFloor.map((pair) => pair.compileMs.slipway - pair.compileMs.floor);
  const releases = withFloor.find((pair) => pair.name === 'releases');
  const withinEveryCall = withFloor.filter((pair) => pair.contextRatio <= COLD_FLOOR_TARGET_RATIO).length;
  return (
    `compiling each bundle (V8 parsing its text and compiling its top-level code, before any of it runs) took ` +
    `${Math.min(...compileGaps).toFixed(0)}-${Math.max(...compileGaps).toFixed(0)} ms more than its floor's` +
    (releases ? ` (releases ${releases.compileMs.slipway.toFixed(0)} against ${releases.compileMs.floor.toFixed(0)} ms)` : '') +
    `: Slipway's own code is 25-120 KB of a bundle, zod/mini 30-40 KB, Powertools 20-30 KB. Then the first event's ` +
    `further calls: against a floor making every call Slipway's first event made, ${withinEveryCall} of ${withFloor.length} functions are ` +
    `within ${COLD_FLOOR_TARGET_RATIO}×` +
    (releases ? ` (releases ${releases.contextRatio.toFixed(2)}×: its list also reads the page and describes the app's ECS service for running counts)` : '') +
    `. Last, running Slipway's code: zod building at import the schemas every request needs (the path parameters', ` +
    `the configuration's; a route's body and query schemas are built at its first use), Powertools Logger and Metrics, middy.`
  );
};

/** The functions that make no AWS call: measured against an empty function, where a function that only logs is already far over. */
const noCallFloors = (pairs: readonly FloorPair[]): string => {
  const empty = pairs.filter((pair) => pair.firstCall === 'none');
  if (empty.length === 0) return '';
  return (
    ` The ${empty.map((pair) => pair.name).join(' and ')} functions make no AWS call, so their floor is an empty function: a bare function that ` +
    `does nothing but log one line with the Powertools Logger (as every Slipway function logs each request) took ` +
    `${empty.map((pair) => `${(pair.context.totalMs / pair.floor.totalMs).toFixed(1)}×`).join(' and ')} the empty one's time ` +
    `beside them, so no function that logs can come within ${COLD_FLOOR_TARGET_RATIO}× of it; against that logging function they took ` +
    `${empty.map((pair) => `${pair.contextRatio.toFixed(2)}×`).join(' and ')}.`
  );
};

/**
 * Why each missed target is missed, as far as the bench and its profiling could tell. Figures the bench
 * measures are taken from this run; the others say when and how they were measured.
 */
const whyMissed = (results: BenchResults, headline: Headline): string => {
  const notes: string[] = [];
  if (headline.biggest >= TARGETS.bundleBytes) {
    const missed = results.bundles.filter((bundle) => bundle.bytes >= TARGETS.bundleBytes);
    const largest = missed.reduce((big, bundle) => (bundle.bytes > big.bytes ? bundle : big));
    const under = results.bundles.filter((bundle) => bundle.bytes < TARGETS.bundleBytes).map((bundle) => bundle.name);
    notes.push(`- **Bundle size**, reported since the ratio to each floor replaced it (over it: ${missed.map((bundle) => bundle.name).join(', ')}; under it: ${under.join(', ') || 'none'}).
  The largest, ${largest.name} at ${kb(largest.bytes)}, is mostly ${packagesOf(largest)}. A function that touches
  the table carries about 250 KB of AWS SDK v3 (releases, measured 2026-11-30: \`@smithy/core\` 112 KB, the
  DynamoDB client 31, \`@aws-sdk/core\` 23, Step Functions 23, EventBridge 15, SigV4 9, the HTTP handler 7,
  the document client and its marshalling 12, endpoint discovery 8) and zod's classic API (~100 KB), so
  Slipway's own code (40-85 KB a function) is not where the size is. Trimmed since: qs and its dependencies
  (~50 KB from every HTTP function; forms are parsed by qs-esm, qs without those dependencies, 6 KB) and the SSM client (76 KB), which
  only the config-vars function carries now (config vars moved out of the releases function: releases went
  from 584 to 448 KB). Powertools Tracer (issue 10) then added ~120 KB to every function that makes an AWS
  client (aws-xray-sdk-core 68 KB, semver 28, cls-hooked and the Tracer itself: releases 448 → 569 KB); since
  2026-12-07 only a deployment that traces each SDK call (\`-c slipway:traceAwsCalls=true\`) carries it (releases 700 → 577 KB).
  Marking \`@aws-sdk/*\` external (the runtime's SDK) makes releases 266 KB but its import ~150 ms instead of
  ~90 ms (the SDK then loads as unminified CommonJS), so it is not a win. Since 2026-12-07 the functions that
  serve no route (the rollout's steps, the ECS events', the reconciler) check their contracts with zod/mini (30 KB
  instead of classic zod's 100: 355-407 KB instead of 447-499), and the openapi function serves a document written
  when it is bundled (242 → 137 KB); since the same day the API's schemas are zod/mini too (the OpenAPI document is
  made from them by zod-openapi), which took 60-70 KB off each HTTP function (releases 568 → 503 KB). The table
  functions stay at 300-530 KB: under 250 KB would take DynamoDB over signed fetch calls instead of the SDK client
  (a rewrite of every adapter), not tuning.`);
  }
  const worstCold = worstFloorRatio(results.coldInits);
  if (coldFloorTarget(results.coldInits)[2] !== 'met' && worstCold) {
    notes.push(`- **Cold init against the floor** (worst ${worstCold.name}: ${worstCold.slipway.totalMs.toFixed(0)} ms against its floor's
  ${worstCold.floor.totalMs.toFixed(0)} ms; see the section below for every function). Measured with Lambda's environment. The
  floors carry the same SDK clients and make the same first call, so the gap is Slipway's own import and the
  extra calls its first event makes. Levers taken on 2026-12-07, each measured alone (paired fresh processes):
  the X-Ray SDK bundled only where SDK calls are traced (releases' import ~10%); source maps read at the first error
  rather than at load (Node's \`--enable-source-maps\`, which the functions were deployed with and the bench had left
  out, parsed releases' 3.2 MB map at every cold start, ~19% of its import: the map is 0.95 MB now, without the
  sources' text, and \`shared/runtime/stack-traces.ts\`, injected at the top of every bundle, maps a stack when one is
  first formatted; releases' import -11% and 10 MiB against the 0.95 MB map parsed at load); each function builds only
  the API schemas its routes need (constants and helpers out of schema modules, answers' schemas in modules of their
  own: rollout-deploy's import -15%, keys' -9%, apps' and statuses' -5%); zod/mini for the contracts of the functions
  that serve no route (rollout-deploy's import 0.77× of the morning's); the OpenAPI document written at bundle time
  (openapi's cold init 283 → 93 ms; its floor is empty all the same); zod/mini for every API schema too, the document
  made by zod-openapi from zod's own JSON Schema (no Lambda carries classic zod: HTTP functions 60-70 KB smaller,
  releases 186 → 157 ms and 1.86 → 1.58× in the full runs before and after); reads describe the app's ECS service
  beside their DynamoDB reads rather than after them; the hook sender takes node:http from \`process.getBuiltinModule\`
  (its ES module import made Node read every export, and node:http's WebSocket getter loaded undici: the hook
  functions' import ~15% faster; here the SDK's first call to the local http:// endpoints loads it all the same, in
  AWS's https:// nothing does); the reconciler resumes apps' queues eight at a time, beside its promotions and its
  outbox sweep (its critical path is five calls in a row for up to eight apps, where it was three plus five per app;
  its first event took 93 ms with three apps in the last full run before); schemas built on their first use
  (\`shared/runtime/built-on-first-use.ts\`: a request body's or a query's schema, the rollout's contracts and the
  request-only shapes of \`shared/api/common.ts\`), so a cold function answering a read builds none of its writes'
  schemas (import and first event, 20 paired processes against the code before: apps 0.93×, builds 0.90×, releases
  0.89×, statuses 0.91×; a rollout step now builds only its own contract, within that comparison's noise). What is left, as this run measured it (the section below): ${leftOver(results.coldInits)}${noCallFloors(results.coldInits)}
  Measured and not taken (2026-12-07): splitting an HTTP function per route. A releases bundle of its list route
  alone compiles in 26 ms instead of 35; split for real (esbuild's code splitting, its two read routes in a chunk
  imported when first taken), importing the function and that chunk took 5% less wall time and 3% less CPU than
  the whole bundle (20 paired processes): a few ms of its gap, for a bundling of our own (CDK's NodejsFunction writes
  one file) and every route's code moved into modules of its own.`);
  }
  if (headline.floorRatio < TARGETS.getToFloorRatio) {
    notes.push(`- **Against the floor.** Both make the same two DynamoDB calls through the same SDK, which with dynalite is most
  of the server's CPU under get-release load (\`@smithy/core\`, signing, HTTP to dynalite). A served read no longer
  writes an INFO line (API Gateway's access log records it; its DEBUG line is not even built); path parameters are
  checked once and the local gateway matches routes in one pass. What still separates the two (CPU profile of both
  under load, 2026-12-07): Slipway's own code and libraries, ~0.3 ms of ~3 ms a request (the document client's
  marshalling and map-key escaping, zod's path checks, middy and the handler framework, the presenter), and the
  larger answer it writes (the release as the API shapes it, against the raw item). Run alone (\`--only floor\`,
  load 1.5, 2026-12-07) the same build measured 96% (pairs 88%, 97%, 103%, 95%); on a loaded machine the pairs'
  ratios swing by 20-40 points, so read the verdict with the load average above.`);
  }
  if (headline.mostReads > TARGETS.readsPerRequest) {
    notes.push(`- **Reads per request.** Each function reads the key in one BatchGetItem with what the path names
  (an app or a pipeline by name, a promotion by id) and then what the route answers from, batched (GET
  /apps/{app}: the rollout lock, the current release and its build). Over it are reads that follow references the path
  does not carry: an app or pipeline named by id (resolved through an eventually consistent index, then
  read by name), a rollout in flight (its release), and items stored before the references were kept.`);
  }
  if (headline.deepRatio > TARGETS.deepToShallowRatio) {
    notes.push(`- **Deep history.** Pages are a key-range Query that starts right after the cursor's version, so their
  cost should not depend on history length; a miss here is most likely load noise (compare the p99 column).`);
  }
  return notes.length > 0 ? `## Why the missed targets are missed\n\n${notes.join('\n')}\n` : '';
};

export const renderResults = (results: BenchResults): string => {
  const bare = results.http.find((row) => row.name.startsWith('bare'));
  const get = results.http.find((row) => row.name === 'get release');
  const ratio = bare && get ? get.requestsPerSecond / bare.requestsPerSecond : Number.NaN;
  const floorRatios = results.floorPairs.map((pair) => pair.slipway.requestsPerSecond / pair.floor.requestsPerSecond);
  const floorRatio = median(floorRatios);
  const p99Ratios = results.floorPairs.map((pair) => pair.slipway.p99Ms / pair.floor.p99Ms);
  const p99Ratio = median(p99Ratios);
  const mostInvocations = Math.max(...results.census.routes.map((row) => row.invocations));
  const fewestInvocations = Math.min(...results.census.routes.map((row) => row.invocations));
  const getRoutes = results.census.routes.filter((row) => row.route.startsWith('GET '));
  const mostReads = Math.max(...getRoutes.map((row) => row.reads));
  const overReads = getRoutes.filter((row) => row.reads > TARGETS.readsPerRequest).map((row) => `${row.route} (${row.reads})`);
  const transitionsMedian = Math.max(...results.transitions.map((row) => row.median));
  const [slipwayCost, pollingCost] = results.costs;
  const [shallow, ...deepPages] = results.history.pages;
  const worstDeep = Math.max(...deepPages.filter((page) => page.items === shallow?.items).map((page) => page.medianMs));
  const deepRatio = shallow ? worstDeep / shallow.medianMs : Number.NaN;
  const filteredRatios = results.history.filtered.map((pair) => ({ pair, ratio: pair.deep.medianMs / pair.shallow.medianMs }));
  // Starts below every ratio (a NaN start would win every comparison and hide them all).
  const worstFiltered = filteredRatios.reduce((worst, next) => (next.ratio > worst.ratio ? next : worst), {
    pair: undefined,
    ratio: Number.NEGATIVE_INFINITY,
  } as { pair: FilteredTiming | undefined; ratio: number });
  const biggest = Math.max(...results.bundles.map((bundle) => bundle.bytes));
  const slowest = Math.max(...results.coldInits.map((cold) => cold.slipway.totalMs));
  const burstP99 = results.bursts.find((burst) => burst.inFlight === TARGETS.burstInFlight)?.p99Ms ?? Number.NaN;

  return `# Slipway benchmark

Generated by \`npm run bench\` (bench/run.ts) on ${results.date} in ${results.durationSeconds.toFixed(0)} s.
Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.platform}, Node ${results.machine.node};
1-minute load average ${results.machine.loadBefore.toFixed(1)} at the start and ${results.machine.loadAfter.toFixed(1)} at the end
(anything above ${results.machine.cpus} means other work competed with the bench for the CPUs).
Everything runs on loopback on this one machine: the local server (local API Gateway + the real handlers +
in-memory dynalite, one process), the bare server (another process) and autocannon (the bench process).

## Targets

${table(
  ['target', 'measured', 'verdict'],
  [
    [`each bundle < ${kb(TARGETS.bundleBytes)} (the former target; bytes are reported, cold init against its floor replaces it)`, `largest ${kb(biggest)}`, 'reported'],
    coldFloorTarget(results.coldInits),
    [`cold init < ${TARGETS.coldInitMs} ms (absolute, the former target; the ratio above replaces it)`, `slowest ${slowest.toFixed(0)} ms`, 'reported'],
    [
      `Lambda invocations per API request = ${TARGETS.invocationsPerRequest}, every route`,
      `${fewestInvocations}-${mostInvocations} over ${results.census.routes.length} routes`,
      verdict(mostInvocations === TARGETS.invocationsPerRequest && fewestInvocations === TARGETS.invocationsPerRequest),
    ],
    [
      `DynamoDB reads per read request ≤ ${TARGETS.readsPerRequest}, authentication included`,
      overReads.length > 0 ? `most ${mostReads}; over: ${overReads.join(', ')}` : `most ${mostReads}`,
      verdict(mostReads <= TARGETS.readsPerRequest),
    ],
    [
      `get-release throughput ≥ ${TARGETS.getToFloorRatio * 100}% of the floor (median of ${floorRatios.length} paired runs)`,
      `${(floorRatio * 100).toFixed(0)}% (pairs: ${floorRatios.map((value) => `${(value * 100).toFixed(0)}%`).join(', ')})`,
      verdict(floorRatio >= TARGETS.getToFloorRatio),
    ],
    [
      `get-release p99 ≤ ${TARGETS.getP99ToFloorRatio}× the floor's (median of ${p99Ratios.length} paired runs)`,
      `${p99Ratio.toFixed(2)}× (pairs: ${p99Ratios.map((value) => `${value.toFixed(2)}×`).join(', ')})`,
      verdict(p99Ratio <= TARGETS.getP99ToFloorRatio),
    ],
    createFloorRow(results.createPairs),
    [
      'rollout overhead (create to succeeded minus the ECS deployment), reported',
      `p50 ${results.overhead.p50Ms.toFixed(0)} ms, p99 ${results.overhead.p99Ms.toFixed(0)} ms over ${results.overhead.releases} releases`,
      'reported',
    ],
    [
      `state transitions per release ≤ ${TARGETS.transitionsPerRelease}`,
      results.transitions.map((row) => `${row.label}: median ${row.median}`).join('; '),
      verdict(transitionsMedian <= TARGETS.transitionsPerRelease),
    ],
    [
      'cost per 1,000 releases (modelled, reported)',
      slipwayCost && pollingCost ? `${dollars(slipwayCost.total)}; polling ECS every ${POLLING.intervalSeconds} s: ${dollars(pollingCost.total)}` : '',
      'reported',
    ],
    ['get-release vs a bare node:http constant string (context only)', `${(ratio * 100).toFixed(1)}%`, 'context'],
    [
      `list with 100k releases as fast as with 10 (≤ ${TARGETS.deepToShallowRatio}×)`,
      `${deepRatio.toFixed(2)}× (slowest deep page of ${shallow?.items ?? '?'} vs the 10-release app)`,
      verdict(deepRatio <= TARGETS.deepToShallowRatio),
    ],
    [
      `filtered lists and metrics with 100k releases as fast as with 10 (≤ ${TARGETS.deepToShallowRatio}×)`,
      `${worstFiltered.ratio.toFixed(2)}× (slowest: ${worstFiltered.pair?.label ?? '?'})`,
      verdict(worstFiltered.pair !== undefined && worstFiltered.ratio <= TARGETS.deepToShallowRatio),
    ],
    [
      `p99 create with ${TARGETS.burstInFlight} in flight on one app ≤ ${TARGETS.burstP99Ms} ms`,
      `${burstP99.toFixed(0)} ms`,
      verdict(burstP99 <= TARGETS.burstP99Ms),
    ],
    [
      `dashboard JavaScript ≤ ${kb(TARGETS.dashboardJsGzipBytes)} gzipped`,
      `${kb(results.dashboard.jsGzipBytes)} (${kb(results.dashboard.jsBytes)} uncompressed)`,
      verdict(results.dashboard.jsGzipBytes <= TARGETS.dashboardJsGzipBytes),
    ],
    [
      `time to rescue ≤ the simulator's deployment + ${RESCUE_OVERHEAD_TARGET_MS} ms`,
      `worst overhead ${worstRescueOverhead(results.rescue)} ms (median rescue ${median(results.rescue.rescueMs)} ms)`,
      verdict(worstRescueOverhead(results.rescue) <= RESCUE_OVERHEAD_TARGET_MS),
    ],
  ],
)}

${whyMissed(results, { biggest, slowest, floorRatio, deepRatio, mostReads })}
## HTTP: latency and throughput

autocannon, ${LOAD_SETUP.connections} connections, ${LOAD_SETUP.seconds} s per endpoint after a ${LOAD_SETUP.warmUpSeconds} s warm-up,
admin API key on every Slipway request (each function authenticates it: one consistent BatchGetItem of the
key and what the path names). The server runs without rollouts (no ECS simulator or Step Functions in its process):
in AWS those run in their own Lambdas. "all on one app" has the 10 connections take each next version of
one app from its version sequence (one update each, no retries). Round-robin over apps is the common case.

${table(
  ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx/errors', 'vs bare'],
  results.http.map((row) => [
    row.name,
    row.requestsPerSecond.toFixed(0),
    String(row.p50Ms),
    String(row.p99Ms),
    String(row.total),
    String(row.failures),
    bare ? `${((row.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(1)}%` : '',
  ]),
)}

## Against the floor

The floor (bench/floor-server.ts) runs in the Slipway server's process on the same in-memory dynalite, behind
the same local API Gateway emulation (local/api-gateway.ts: route match, payload-v2 event, Lambda context), so
the gateway's cost, which AWS's gateway carries, falls on both sides: a Lambda handler with the bare DynamoDB client
making Slipway's own two calls (the key by its hash and the app by the name in the path in one consistent
BatchGetItem, then the Query for the release by id), no framework, no validation, the item answered as DynamoDB
returns it. Until 2026-12-07 the floor read the key alone with a GetItem and took the app's id in the path: it
made other, cheaper calls than Slipway, and Slipway measured 70-85% of it. A CPU profile of both under load
(2026-12-07) put most of that gap in the app item Slipway must read (its paths name apps by name) and in
dynalite's BatchGetItem, not in Slipway's code (zod, middy, the document client and Slipway's own modules:
~0.3 ms of ~3.1 ms a request).
Each pair runs both, each after a short warm-up, Slipway first in odd pairs and the floor first in even ones; the verdict is on
the median of the pairs' ratios.

${table(
  ['pair', 'Slipway req/s', 'floor req/s', 'ratio', 'Slipway p50/p99 ms', 'floor p50/p99 ms'],
  results.floorPairs.map((pair, index) => [
    String(index + 1),
    pair.slipway.requestsPerSecond.toFixed(0),
    pair.floor.requestsPerSecond.toFixed(0),
    `${((pair.slipway.requestsPerSecond / pair.floor.requestsPerSecond) * 100).toFixed(0)}%`,
    `${pair.slipway.p50Ms}/${pair.slipway.p99Ms}`,
    `${pair.floor.p50Ms}/${pair.floor.p99Ms}`,
  ]),
)}

## Lambda invocations and DynamoDB calls per route

Every route once, one request at a time, on the local Slipway with rollouts (bench/calls.ts). Invocations are
counted where every local invocation gets its Lambda context (local/lambda-context.ts); with no API Gateway
authorizer, each request is one. DynamoDB calls are counted by an SDK middleware on the store's client, with
the capacity DynamoDB (dynalite) reports: table units; AWS also bills index writes, which dynalite leaves out.
A change's row includes the event relay it sets off once it has answered: each request runs in a context of
its own and the census waits for its calls to stop before the next request.

${table(
  ['route', 'answer', 'invocations', 'reads', 'read units', 'writes', 'write units', 'calls'],
  results.census.routes.map((row) => [
    row.route,
    String(row.status),
    String(row.invocations),
    String(row.reads),
    String(row.readUnits),
    String(row.writes),
    String(row.writeUnits),
    row.commands.join(', '),
  ]),
)}

A release's rollout beyond its create request: ${Object.entries(results.census.rollout.invocations)
  .map(([fn, count]) => `${fn} ×${count}`)
  .join(', ')} invocations; ${results.census.rollout.reads} reads (${results.census.rollout.readUnits} units) and ${results.census.rollout.writes} writes (${results.census.rollout.writeUnits} units).

## Rollout overhead

${results.overhead.releases} releases one after another on one app, the state machine with its deployed timings against the ECS
simulator: from sending the create to the execution's end, minus the simulator's own deployment time (its
deployment's createdAt to completion; median ${results.overhead.deploymentP50Ms.toFixed(0)} ms). What remains is Slipway's share: the create
request, starting the execution, Lock, Deploy, UpdateService, the deployment event's way back, Finish.

| p50 ms | p99 ms |
|---|---|
| ${results.overhead.p50Ms.toFixed(0)} | ${results.overhead.p99Ms.toFixed(0)} |

## Cost per 1,000 releases in AWS (model)

Counts from this run, at published on-demand prices for ${PRICES.region} (US East, N. Virginia) as of ${PRICES.date}: Lambda
$0.20 per million requests and $${PRICES.lambdaPerGbSecond} per GB-s (arm64), Step Functions Standard $0.025 per 1,000
transitions, DynamoDB on demand $0.625 per million write and $0.125 per million read request units, HTTP API
$1.00 per million requests, EventBridge AWS service events free. Free tiers left out. A release is modelled as
${RELEASE_REQUESTS.join(', ')} (each with the units this run measured) and its rollout; every invocation is
billed as a cold one (slowest measured cold init, 512 MB), since a release controller is called rarely. The
polling design swaps the await step and the deployment-events function for a Wait/Describe/Choice loop every
${POLLING.intervalSeconds} s over a ${POLLING.deploymentSeconds} s ECS deployment (${POLLING.transitionsPerPoll} transitions and one Lambda call per poll). Fixed costs
(the 5-minute queue reconciler, alarms, logs) are not per release and left out.

${results.costs
  .map(
    (model) => `**${model.design}**: ${dollars(model.total)} per 1,000 releases

${table(
  ['item', 'quantity', 'unit', 'dollars'],
  model.lines.map((entry) => [entry.item, entry.quantity.toFixed(entry.quantity < 10 ? 2 : 0), entry.unit, dollars(entry.dollars)]),
)}`,
  )
  .join('\n\n')}

## Creates in flight on one app

Every request of a round sent at once to one app (no warm-up; the server as above), each answer timed from
send to last byte. A claim that would outlast the invocation is answered 503 with Retry-After and records
nothing; any other non-201 answer counts as an error.

${table(
  ['in flight', 'rounds', 'p50 ms', 'p99 ms', 'max ms', 'created', 'refused (503/409)', 'errors'],
  results.bursts.map((burst) => [
    String(burst.inFlight),
    String(burst.rounds),
    burst.p50Ms.toFixed(0),
    burst.p99Ms.toFixed(0),
    burst.maxMs.toFixed(0),
    String(burst.created),
    String(burst.refused),
    String(burst.errors),
  ]),
)}

## Bundles

esbuild with the exact options CDK's NodejsFunction gets (\`SLIPWAY_BUNDLING\` in infra/slipway-function.ts):
ESM, minified, target node24, AWS SDK v3 bundled. Size of \`index.mjs\` (source map not counted); the target
applies to it. Gzipped, for comparison, is about what the deployment zip carries.

${table(
  ['function', 'size', 'gzipped', 'verdict', 'largest contributors'],
  results.bundles.map((bundle) => [
    bundle.name,
    kb(bundle.bytes),
    kb(bundle.gzipBytes),
    verdict(bundle.bytes < TARGETS.bundleBytes),
    bundle.heaviest.map((input) => `${input.path} ${kb(input.bytes)}`).join(', '),
  ]),
)}

## Dashboard

The page's assets as \`web/build.ts\` builds them (Preact, uPlot, the page's own code; esbuild, minified ES modules):
JavaScript ${kb(results.dashboard.jsBytes)} (${kb(results.dashboard.jsGzipBytes)} gzipped at level 9), CSS
${kb(results.dashboard.cssBytes)} (${kb(results.dashboard.cssGzipBytes)} gzipped). The JavaScript is the page's
module with the chunk it shares, loaded at start, and the metrics view with uPlot, loaded when that view opens. The
HTTP API sends them compressed as the browser accepts (br or gzip), once; hashed names let it keep them for good.

${renderColdFloors(results.coldInits)}
${renderCreateCensus(results.census, results.createPairs)}
## Listing a long history

Release items written straight into dynalite with BatchWriteItem (seeded in ${results.history.seedSeconds.toFixed(0)} s), then each
page requested 200 times over HTTP, one request at a time and interleaved (one of each page per round, after
10 warm-up rounds), so background noise weighs on all pages alike.

${table(
  ['page', 'items', 'median ms', 'p99 ms'],
  results.history.pages.map((page) => [page.label, String(page.items), page.medianMs.toFixed(2), page.p99Ms.toFixed(2)]),
)}

Filtered lists and delivery metrics, the same question of both apps (each release and its five index rows
seeded; every tenth release failed; releases 10 minutes apart): each filter is a Query on a key range, so
the deep app should answer as fast as the shallow one.

${table(
  ['question', 'items (10 / 100k)', 'median ms (10)', 'median ms (100k)', 'p99 ms (10 / 100k)', 'ratio'],
  filteredRatios.map(({ pair, ratio }) => [
    pair.label,
    `${pair.shallow.items} / ${pair.deep.items}`,
    pair.shallow.medianMs.toFixed(2),
    pair.deep.medianMs.toFixed(2),
    `${pair.shallow.p99Ms.toFixed(2)} / ${pair.deep.p99Ms.toFixed(2)}`,
    `${ratio.toFixed(2)}×`,
  ]),
)}

## State transitions per release

Counted by the local Step Functions (local/step-functions.ts) while it runs the synthesized rollout state
machine with its deployed timings against the ECS simulator: every state entered and every retry, which
is what Standard workflows bill. Lock, Deploy, UpdateService, AwaitDeployment and Finish are the five of an
uncontended release; a release that waits for the app's lock re-enters Lock once per lock poll (5 min),
and a deployment not resumed by its ECS event re-enters AwaitDeployment once per reconcile (1 min).

${table(
  ['releases', 'count', 'min', 'median', 'max'],
  results.transitions.map((row) => [row.label, String(row.releases), String(row.min), String(row.median), String(row.max)]),
)}

## Time to rescue

A rollback posted while a slow bad rollout is in flight (the ECS simulator deploys an image tagged \`slow\` one
batch every ${results.rescue.slowBatchMs} ms, others every ${results.rescue.batchMs} ms) with ${results.rescue.queuedBehindBadRollout} releases queued behind it: from the
POST to the service running only the old image (one deployment left, completed, every task running),
next to that rescue deployment's own time in the simulator. Target: the simulator's time plus at most
${RESCUE_OVERHEAD_TARGET_MS} ms. Before rollbacks overtook, the rescue waited for the bad rollout to end
(${results.rescue.badRolloutMs} ms here, up to the 30-minute deadline in ECS) and the queue, then took its own time.

${table(
  ['round', 'rescue ms', 'ECS deploying ms', 'overhead ms', 'target'],
  results.rescue.rescueMs.map((ms, round) => {
    const overhead = ms - (results.rescue.deploymentMs[round] ?? Number.NaN);
    return [String(round + 1), String(ms), String(results.rescue.deploymentMs[round]), String(overhead), verdict(overhead <= RESCUE_OVERHEAD_TARGET_MS)];
  }),
)}

Median ${median(results.rescue.rescueMs)} ms to rescue. No release involved (the superseded one in flight, the superseded queued
ones, the rollback) took more than ${results.rescue.maxTransitions} state transitions.
`;
};
