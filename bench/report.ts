import type { BundleFigures } from './bundles';
import type { BurstFigures } from './burst';
import type { ColdInit } from './cold-init';
import type { DashboardFigures } from './dashboard';
import type { FilteredTiming, PageTiming } from './deep-history';
import { LOAD_SETUP, type LoadFigures } from './http-load';
import type { TransitionFigures } from './transitions';

export const TARGETS = {
  bundleBytes: 250 * 1024,
  coldInitMs: 150,
  getToBareRatio: 0.4,
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
  coldInits: (ColdInit & { name: string })[];
  history: { seedSeconds: number; pages: PageTiming[]; filtered: FilteredTiming[] };
  transitions: TransitionFigures[];
  durationSeconds: number;
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

type Headline = { biggest: number; slowest: number; ratio: number; deepRatio: number };

/** Why each missed target is missed, as far as the bench and its profiling could tell. */
const whyMissed = (results: BenchResults, headline: Headline): string => {
  const notes: string[] = [];
  if (headline.biggest >= TARGETS.bundleBytes) {
    const missed = results.bundles.filter((bundle) => bundle.bytes >= TARGETS.bundleBytes).map((bundle) => bundle.name);
    notes.push(`- **Bundle size** (missed by ${missed.join(', ')}). What fills the bundles is the AWS SDK v3, bundled on
  purpose: \`@smithy/core\` alone (~110 KB: the schema-based serializers, retry, endpoint and event-stream code
  every client pulls in), then \`@aws-sdk/core\` and each service client (DynamoDB ~30 KB, ECS ~30 KB, SFN ~22 KB).
  With it, zod (~90 KB, classic API) is what pushes a function past 250 KB: the authorizer, which validates
  nothing with zod, stays under it with the whole SDK inside. Already fixed: a named \`import { z } from 'zod'\`
  kept all of zod and its ~50 locales (~370 KB in every function; every module now imports \`* as z\`, and
  test/proof/bundles.test.ts guards it), and the SDK's credential provider chain, useless in Lambda, is
  aliased to \`fromEnv\` (~135 KB). Further cuts would mean zod/mini or hand-rolled validation, or dropping
  the SDK clients for raw signed HTTP calls: rewrites, not tuning.`);
  }
  if (headline.slowest >= TARGETS.coldInitMs) {
    notes.push(`- **Cold init.** Almost all of it is \`import()\`: V8 compiling 0.2-0.4 MB of minified JavaScript and
  Node loading its http/crypto/stream internals; the first event adds one DynamoDB round trip (~30 ms with
  connection setup). Smaller bundles are the lever (see above). Numbers swing by ±40% with the machine's load.`);
  }
  if (headline.ratio < TARGETS.getToBareRatio) {
    notes.push(`- **Throughput against bare node:http.** The bare server writes a constant string; a get-release crosses
  the local API Gateway, runs the authorizer (GetItem on the key hash), then the handler (GetItem on the app,
  Query on the release-id index), each DynamoDB call a full AWS SDK request (middleware stack, SigV4 signing,
  JSON marshalling, HTTP over loopback) answered by dynalite (validation, in-memory LevelDB), all on one Node
  event loop. A CPU profile of the server under this load puts roughly 35-40% of the time in the SDK client
  (\`@smithy/core\`, \`@aws-sdk/core\`, signing and hashing), 10-15% in dynalite, about 20% in Node's HTTP and
  streams for the four loopback legs, and under 5% in Slipway's own code. Reaching 40% of a bare server would
  need a request to cost at most 2.5x an empty response; one SDK call alone costs more, so this target cannot be
  met with DynamoDB behind the API. Authorizer result caching would save one of the three calls, but the stack
  keeps it off on purpose (a request without a key must still reach Slipway's JSON 401, and a revoked key must
  stop working at once), and caching reads in the functions would trade away read-your-writes.`);
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
  const [shallow, ...deepPages] = results.history.pages;
  const worstDeep = Math.max(...deepPages.filter((page) => page.items === shallow?.items).map((page) => page.medianMs));
  const deepRatio = shallow ? worstDeep / shallow.medianMs : Number.NaN;
  const filteredRatios = results.history.filtered.map((pair) => ({ pair, ratio: pair.deep.medianMs / pair.shallow.medianMs }));
  const worstFiltered = filteredRatios.reduce((worst, next) => (next.ratio > worst.ratio ? next : worst), { pair: undefined, ratio: Number.NaN } as {
    pair: FilteredTiming | undefined;
    ratio: number;
  });
  const biggest = Math.max(...results.bundles.map((bundle) => bundle.bytes));
  const slowest = Math.max(...results.coldInits.map((cold) => cold.totalMs));
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
    [`each bundle < ${kb(TARGETS.bundleBytes)}`, `largest ${kb(biggest)}`, verdict(biggest < TARGETS.bundleBytes)],
    [`cold init < ${TARGETS.coldInitMs} ms`, `slowest ${slowest.toFixed(0)} ms`, verdict(slowest < TARGETS.coldInitMs)],
    [
      `get-release throughput ≥ ${TARGETS.getToBareRatio * 100}% of bare node:http`,
      `${(ratio * 100).toFixed(1)}%`,
      verdict(ratio >= TARGETS.getToBareRatio),
    ],
    [
      `list with 100k releases as fast as with 10 (≤ ${TARGETS.deepToShallowRatio}×)`,
      `${deepRatio.toFixed(2)}× (slowest deep page of ${shallow?.items ?? '?'} vs the 10-release app)`,
      verdict(deepRatio <= TARGETS.deepToShallowRatio),
    ],
    [
      `filtered lists and metrics with 100k releases as fast as with 10 (≤ ${TARGETS.deepToShallowRatio}×)`,
      `${worstFiltered.ratio.toFixed(2)}× (slowest: ${worstFiltered.pair?.label ?? '?'})`,
      verdict(worstFiltered.ratio <= TARGETS.deepToShallowRatio),
    ],
    [
      `p99 create with ${TARGETS.burstInFlight} in flight on one app ≤ ${TARGETS.burstP99Ms} ms`,
      `${burstP99.toFixed(0)} ms`,
      verdict(burstP99 <= TARGETS.burstP99Ms),
      `dashboard JavaScript ≤ ${kb(TARGETS.dashboardJsGzipBytes)} gzipped`,
      `${kb(results.dashboard.jsGzipBytes)} (${kb(results.dashboard.jsBytes)} uncompressed)`,
      verdict(results.dashboard.jsGzipBytes <= TARGETS.dashboardJsGzipBytes),
    ],
    [
      'state transitions per release (reported)',
      results.transitions.map((row) => `${row.label}: median ${row.median}`).join('; '),
      'reported',
    ],
  ],
)}

${whyMissed(results, { biggest, slowest, ratio, deepRatio })}
## HTTP: latency and throughput

autocannon, ${LOAD_SETUP.connections} connections, ${LOAD_SETUP.seconds} s per endpoint after a ${LOAD_SETUP.warmUpSeconds} s warm-up,
admin API key on every Slipway request (so the Lambda authorizer runs each time, as API Gateway does without
authorizer caching). The server runs without rollouts (no ECS simulator or Step Functions in its process):
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

The page's assets as \`web/build.ts\` builds them (Preact, uPlot, the page's own code; esbuild, minified ES module):
JavaScript ${kb(results.dashboard.jsBytes)} (${kb(results.dashboard.jsGzipBytes)} gzipped at level 9), CSS
${kb(results.dashboard.cssBytes)} (${kb(results.dashboard.cssGzipBytes)} gzipped). The HTTP API sends them
uncompressed, so a browser downloads the uncompressed size once; hashed names let it keep them for good.

## Cold init

A fresh \`node\` process per sample (median of 5) with a deployed function's environment (credentials in
variables, endpoints of a local Slipway's dynalite, Step Functions and ECS simulator): \`import()\` of the
bundle, then the first event: an HTTP function's first GET route, an authorizer request, a rollout step
naming a release version that does not exist (so it answers after its first reads and changes nothing),
or the reconciler's scheduled event.

${table(
  ['function', 'import ms', 'first event ms', 'total ms', 'answer', 'verdict'],
  results.coldInits.map((cold) => [
    cold.name,
    cold.importMs.toFixed(1),
    cold.firstEventMs.toFixed(1),
    cold.totalMs.toFixed(1),
    cold.outcome,
    verdict(cold.totalMs < TARGETS.coldInitMs),
  ]),
)}

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
`;
};
