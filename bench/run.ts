import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TABLE_NAME } from '../shared/store/table-design';
import { bundleFunction, functionEntries, PROJECT_ROOT, type BundleFigures } from './bundles';
import { measureDashboard } from './dashboard';
import { startChild } from './child';
import { httpEvent, LAMBDA_ENVIRONMENT, rolloutEvent } from './cold-init';
import { COLD_FLOOR_TARGET_RATIO, COLD_INIT_PAIRS, measureAgainstFloor, type FloorPair } from './cold-floor';
import { measureBurst, type BurstFigures } from './burst';
import { measureDeepHistory } from './deep-history';
import { apiClient, load, type LoadFigures } from './http-load';
import { inTurn } from './in-turn';
import { measureHooks, renderHooks } from './hooks';
import { renderResults } from './report';
import { measureRescue } from './rescue';
import { measureCalls, type CallCensus } from './calls';
import { CLI_START_TARGET_RATIO, measureCliStart, renderCliStart } from './cli-start';
import { costPer1000Releases } from './cost-model';
import { measureTransitions } from './transitions';
import { GATE_DECISION_TARGET_MS, measureGateDecisions, renderGates } from './gates';

/**
 * `npm run bench`: bundle sizes, cold init, HTTP latency and throughput against a bare node:http
 * server, and list cost on a 100k-release history. Prints as it goes and writes bench/results.md.
 * `npm run bench -- --only floor,calls` runs only the sections named (see SECTIONS) and prints their
 * figures; bench/results.md, which needs them all, is then left as it is.
 */
const SECTIONS = ['bundles', 'dashboard', 'http', 'floor', 'burst', 'history', 'calls', 'cold-init', 'transitions', 'rescue', 'gates', 'hooks', 'cli'] as const;
type Section = (typeof SECTIONS)[number];

const onlyOf = (argv: readonly string[]): ReadonlySet<Section> | undefined => {
  const at = argv.indexOf('--only');
  const listed = at === -1 ? argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) : argv[at + 1];
  if (listed === undefined) return undefined;
  const names = listed.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    console.error(`--only takes a comma-separated list of: ${SECTIONS.join(', ')}${unknown.length > 0 ? ` (not: ${unknown.join(', ')})` : ''}`);
    process.exit(2);
  }
  return new Set(names as Section[]);
};
const only = onlyOf(process.argv.slice(2));
const runs = (...sections: Section[]) => !only || sections.some((name) => only.has(name));

const DEEP_HISTORY = 100_000;
const SHALLOW_HISTORY = 10;
const LIST_APP_RELEASES = 20;
const SPREAD_APPS = 10;
const SEQUENTIAL_RELEASES = 20;
const BURST_RELEASES = 5;
/**
 * Paired runs against the floor, this many times, each this long after a warm-up; who runs first alternates from pair
 * to pair, so neither side is always the one that finds the shared dynalite warmed (or the machine busier).
 */
const FLOOR_PAIRS = 6;
const FLOOR_TIMING = { seconds: 6, warmUpSeconds: 1 };
const CREATE_FLOOR_PAIRS = 2;
const RESCUE_ROUNDS = 5;
const RESCUE_QUEUED = 2;
const CLI_START_PAIRS = 15;
/** Writes whose every DynamoDB call the census lists, each with why it is there (bench/create-census.ts). */
const CENSUSED_WRITES: ReadonlySet<string> = new Set(['POST /apps/{app}/releases', 'POST /pipeline-promotions']);
const GATE_ROUNDS = 5;

const started = Date.now();
const loadBefore = loadavg()[0] ?? Number.NaN;
const section = (title: string) => console.log(`\n== ${title}`);

const outDir = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
const bundles: BundleFigures[] = [];
if (runs('bundles', 'cold-init')) {
  section('bundles (esbuild, SLIPWAY_BUNDLING)');
  for (const { name, entry } of await functionEntries()) {
    const figures = await bundleFunction(name, entry, outDir);
    console.log(`  ${name}: ${(figures.bytes / 1024).toFixed(1)} KB (${figures.heaviest.map((input) => `${input.path} ${(input.bytes / 1024).toFixed(0)}`).join(', ')})`);
    bundles.push(figures);
  }
}

const dashboard = runs('dashboard') ? measureDashboard() : undefined;
if (dashboard) {
  section('dashboard (web/, as served)');
  console.log(`  JavaScript: ${(dashboard.jsBytes / 1024).toFixed(1)} KB, ${(dashboard.jsGzipBytes / 1024).toFixed(1)} KB gzipped`);
}

const http: LoadFigures[] = [];
const floorPairs: { slipway: LoadFigures; floor: LoadFigures }[] = [];
const createPairs: { slipway: LoadFigures; floor: LoadFigures }[] = [];
const bursts: BurstFigures[] = [];
let history: Awaited<ReturnType<typeof measureDeepHistory>> | undefined;
if (runs('http', 'floor', 'burst', 'history')) {
  const server = await startChild<{ url: string; floorUrl: string; adminKey: string; dynamoEndpoint: string }>('./server.ts');
  const { url, floorUrl, adminKey, dynamoEndpoint } = server.ready;
  const api = apiClient(url, adminKey);
  const auth = { authorization: `Bearer ${adminKey}` };

  await api('POST', '/apps', { name: 'bench', cluster: 'bench', service: 'bench-svc' });
  const build = await api<{ id: string }>('POST', '/apps/bench/builds', { image: 'registry.local/bench:v1' });
  const release = await api<{ id: string }>('POST', '/apps/bench/releases', { slug: build.id });
  await api('POST', '/apps', { name: 'bench-list', cluster: 'bench', service: 'bench-list-svc' });
  const listBuild = await api<{ id: string }>('POST', '/apps/bench-list/builds', { image: 'registry.local/bench-list:v1' });
  for (let index = 0; index < LIST_APP_RELEASES; index++) await api('POST', '/apps/bench-list/releases', { slug: listBuild.id });
  const spread: { name: string; slug: string }[] = [];
  for (let index = 0; index < SPREAD_APPS; index++) {
    const name = `bench-spread-${index}`;
    await api('POST', '/apps', { name, cluster: 'bench', service: `${name}-svc` });
    spread.push({ name, slug: (await api<{ id: string }>('POST', `/apps/${name}/builds`, { image: `registry.local/${name}:v1` })).id });
  }

  const json = { ...auth, 'content-type': 'application/json' };
  let nextSpread = 0;
  if (runs('http')) {
    section('HTTP load (autocannon)');
    const bare = await startChild<{ url: string }>('./bare-server.ts');
    http.push(await load('bare node:http, fixed JSON', { url: bare.ready.url }));
    http.push(await load('get release', { url: `${url}/apps/bench/releases/${release.id}`, headers: auth }));
    http.push(await load(`list releases (page of ${LIST_APP_RELEASES})`, { url: `${url}/apps/bench-list/releases`, headers: auth }));
    http.push(
      await load(`create release, round-robin over ${SPREAD_APPS} apps`, {
        url,
        requests: [
          {
            method: 'POST',
            headers: json,
            // Consecutive requests go to different apps, so the 10 in flight rarely race for one version.
            setupRequest: (request) => {
              const target = spread[nextSpread++ % spread.length];
              return { ...request, path: `/apps/${target?.name}/releases`, body: JSON.stringify({ slug: target?.slug }) };
            },
          },
        ],
      }),
    );
    http.push(
      await load('create release, all on one app', {
        url: `${url}/apps/bench/releases`,
        method: 'POST',
        headers: json,
        body: JSON.stringify({ slug: build.id }),
      }),
    );
    await bare.stop();
  }

  if (runs('floor')) {
    section(`get release against the floor (${FLOOR_PAIRS} pairs, Slipway and floor first in turn, ${FLOOR_TIMING.seconds} s each)`);
    const getRelease = (side: 'Slipway' | 'floor') =>
      load(`get release (${side})`, { url: `${side === 'Slipway' ? url : floorUrl}/apps/bench/releases/${release.id}`, headers: auth }, FLOOR_TIMING);
    for (let pair = 0; pair < FLOOR_PAIRS; pair++) {
      const [slipway, floor] = await inTurn(pair, () => getRelease('Slipway'), () => getRelease('floor'));
      floorPairs.push({ slipway, floor });
    }
    const ratios = floorPairs.map((pair) => pair.slipway.requestsPerSecond / pair.floor.requestsPerSecond);
    section(`create release against the floor doing only a release's writes (${CREATE_FLOOR_PAIRS} pairs, round-robin over ${SPREAD_APPS} apps)`);
    const roundRobin = (base: string, body: (target: { name: string; slug: string }) => unknown) => {
      let next = 0;
      return {
        url: base,
        requests: [
          {
            method: 'POST' as const,
            headers: json,
            setupRequest: (request: Record<string, unknown>) => {
              const target = spread[next++ % spread.length] ?? { name: 'bench', slug: build.id };
              return { ...request, path: `/apps/${target.name}/releases`, body: JSON.stringify(body(target)) };
            },
          },
        ],
      };
    };
    for (let pair = 0; pair < CREATE_FLOOR_PAIRS; pair++) {
      createPairs.push({
        slipway: await load('create release (Slipway)', roundRobin(url, (target) => ({ slug: target.slug })), FLOOR_TIMING),
        floor: await load('create release (floor)', roundRobin(floorUrl, () => ({})), FLOOR_TIMING),
      });
    }
    const p99Ratios = floorPairs.map((pair) => pair.slipway.p99Ms / pair.floor.p99Ms);
    console.log(`  throughput ratios ${ratios.map((ratio) => `${(ratio * 100).toFixed(0)}%`).join(', ')}; p99 ratios ${p99Ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}; 1-minute load average now ${(loadavg()[0] ?? Number.NaN).toFixed(1)}`);
  }

  if (runs('burst')) {
    section('creates in flight on one app (all sent at once)');
    await api('POST', '/apps', { name: 'bench-burst', cluster: 'bench', service: 'bench-burst-svc' });
    const burstBuild = await api<{ id: string }>('POST', '/apps/bench-burst/builds', { image: 'registry.local/bench-burst:v1' });
    const burstTarget = { url, key: adminKey, app: 'bench-burst', slug: burstBuild.id };
    bursts.push(await measureBurst(burstTarget, 50, 4), await measureBurst(burstTarget, 200, 2));
  }

  if (runs('history')) {
    section(`list cost against history (${DEEP_HISTORY.toLocaleString('en')} vs ${SHALLOW_HISTORY} releases)`);
    history = await measureDeepHistory({
      url,
      key: adminKey,
      dynamoEndpoint,
      tableName: DEFAULT_TABLE_NAME,
      api,
      deep: DEEP_HISTORY,
      shallow: SHALLOW_HISTORY,
    });
    console.log(`  seeded in ${history.seedSeconds.toFixed(1)} s`);
    for (const page of history.pages) {
      console.log(`  ${page.label}: median ${page.medianMs.toFixed(2)} ms, p99 ${page.p99Ms.toFixed(2)} ms (${page.items} items)`);
    }
  }
  await server.stop();
}

const coldInits: FloorPair[] = [];
let census: CallCensus | undefined;
// Calls and cold init need the local Slipway with rollouts that the transitions bench starts; run alone, they get it with one release.
const transitionCounts = runs('transitions') ? { sequential: SEQUENTIAL_RELEASES, burst: BURST_RELEASES } : { sequential: 1, burst: 1 };
const measured = !runs('calls', 'cold-init', 'transitions') ? undefined : await measureTransitions(transitionCounts, async (environment) => {
  if (runs('calls')) {
    section('Lambda invocations and DynamoDB calls per route (one request at a time)');
    census = await measureCalls(environment);
    for (const row of census.routes) {
      console.log(`  ${row.route}: ${row.status}, ${row.invocations} invocation(s), ${row.reads} read(s) ${row.readUnits} RCU, ${row.writes} write(s) ${row.writeUnits} WCU (${row.commands.join(', ')})`);
      if (CENSUSED_WRITES.has(row.route)) for (const [index, call] of row.calls.entries()) console.log(`    ${index + 1}. ${call}`);
    }
  }

  if (!runs('cold-init')) return;
  section(`cold init against each function's floor (fresh node processes: import + first event, ${COLD_INIT_PAIRS} rounds of Slipway and its floor first in turn, Slipway with SDK calls traced, a floor making every call, compiling each bundle)`);
  for (const bundle of bundles) {
    const event = httpEvent(bundle.name, environment) ?? rolloutEvent(bundle.name, environment);
    if (!event) {
      console.log(`  ${bundle.name}: no first event known for this function; skipped`);
      continue;
    }
    // The hooks' queue and key, as deployed: the delivery function needs them to start; its first event calls neither.
    const hooks = { HOOK_QUEUE_URL: 'https://sqs.local.amazonaws.com/000000000000/slipway-hooks', HOOK_KMS_KEY_ID: 'alias/slipway-hooks' };
    const pair = await measureAgainstFloor(bundle, event, { ...environment.env, ...LAMBDA_ENVIRONMENT, ...hooks, SLIPWAY_LOG_LEVEL: 'INFO' }, outDir);
    const { slipway, floor } = pair;
    console.log(
      `  ${bundle.name}: ${slipway.importMs.toFixed(0)} + ${slipway.firstEventMs.toFixed(0)} = ${slipway.totalMs.toFixed(0)} ms (${slipway.outcome}, ${pair.slipwayCalls} AWS call(s): ${pair.slipwayCallActions || 'none'}); ` +
        `floor ${floor.importMs.toFixed(0)} + ${floor.firstEventMs.toFixed(0)} = ${floor.totalMs.toFixed(0)} ms (${pair.firstCall}); ` +
        `${pair.ratio.toFixed(2)}× (target ≤ ${COLD_FLOOR_TARGET_RATIO}×), CPU ${slipway.cpuMs.toFixed(0)}/${floor.cpuMs.toFixed(0)} ms ${pair.cpuRatio.toFixed(2)}×; ` +
        `SDK calls traced ${pair.traced.totalMs.toFixed(0)} ms ${pair.tracedRatio.toFixed(2)}×; context ${pair.context.totalMs.toFixed(0)} ms ${pair.contextRatio.toFixed(2)}×; ` +
        `compiling ${pair.compileMs.slipway.toFixed(0)}/${pair.compileMs.floor.toFixed(0)} ms; ${(bundle.bytes / 1024).toFixed(0)} KB vs ${(pair.floorBundle.bytes / 1024).toFixed(0)} KB`,
    );
    coldInits.push(pair);
  }
});
if (measured && runs('transitions')) {
  section(`state transitions per release (local Step Functions, deployed timings, ${SEQUENTIAL_RELEASES} + ${BURST_RELEASES} releases)`);
  for (const row of measured.transitions) console.log(`  ${row.label}: min ${row.min}, median ${row.median}, max ${row.max}`);
  const { overhead } = measured;
  console.log(`  rollout overhead: p50 ${overhead.p50Ms} ms, p99 ${overhead.p99Ms} ms (ECS simulator deployment p50 ${overhead.deploymentP50Ms} ms)`);
}

const rescue = runs('rescue') ? await measureRescue(RESCUE_ROUNDS, RESCUE_QUEUED) : undefined;
if (rescue) {
  section(`time to rescue (a rollback overtaking a slow bad rollout with ${RESCUE_QUEUED} releases queued, ${RESCUE_ROUNDS} rounds)`);
  for (const [round, ms] of rescue.rescueMs.entries()) console.log(`  round ${round + 1}: ${ms} ms to rescue, of which ECS deploying ${rescue.deploymentMs[round]} ms`);
  console.log(`  the bad rollout alone: ${rescue.badRolloutMs} ms; most state transitions of a release involved: ${rescue.maxTransitions}`);
}
await rm(outDir, { recursive: true, force: true });

const gates = runs('gates') ? await measureGateDecisions(GATE_ROUNDS) : undefined;
if (gates) {
  section(`gate decisions (a canary at its gate, the check that completes it posted, ${GATE_ROUNDS} rounds)`);
  console.log(`  check POST → ECS told: ${gates.decisionMs.join(', ')} ms (target ≤ ${GATE_DECISION_TARGET_MS} ms)`);
  console.log(`  state transitions: gated canary ${gates.canaryTransitions}, rolling ${gates.rollingTransitions}`);
}

const hooks = runs('hooks') ? await measureHooks() : undefined;
if (hooks) {
  section('webhook delivery (loopback, in-process worker)');
  console.log(`  commit → delivery p50 ${hooks.p50Ms} ms, p99 ${hooks.p99Ms} ms; ${hooks.deliveriesPerSecond.toFixed(0)} deliveries/s`);
}

const cliStart = runs('cli') ? measureCliStart(CLI_START_PAIRS) : undefined;
if (cliStart) {
  section(`CLI start (the built CLI's --help against node -e 0, ${CLI_START_PAIRS} pairs)`);
  console.log(`  node -e 0 median ${cliStart.nodeMedianMs.toFixed(1)} ms; slipway --help median ${cliStart.cliMedianMs.toFixed(1)} ms`);
  console.log(`  ratio ${cliStart.ratio.toFixed(2)}× (median of the pairs; target ≤ ${CLI_START_TARGET_RATIO}×); the launcher cli/slipway.mjs median ${cliStart.launcherMedianMs.toFixed(1)} ms`);
  console.log(`  pairs (--help/node/launcher ms): ${cliStart.pairs.map((pair) => `${pair.cliMs.toFixed(0)}/${pair.nodeMs.toFixed(0)}/${pair.launcherMs.toFixed(0)}`).join(', ')}`);
}

if (only) {
  console.log(`\nran ${[...only].join(', ')} only, 1-minute load average ${loadBefore.toFixed(1)} at the start and ${(loadavg()[0] ?? Number.NaN).toFixed(1)} now; bench/results.md left as it is`);
  process.exit(0);
}
if (!census || !measured || !dashboard || !history || !rescue || !gates || !hooks || !cliStart) throw new Error('a section of the full bench did not run');
const { transitions, overhead } = measured;
const costs = costPer1000Releases(census, {
  transitionsPerRelease: transitions[0]?.median ?? Number.NaN,
  coldInvocationMs: Math.max(...coldInits.map((init) => init.slipway.totalMs)),
});

const markdown = renderResults({
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadBefore,
    loadAfter: loadavg()[0] ?? Number.NaN,
  },
  bundles,
  dashboard,
  http,
  bursts,
  coldInits,
  history,
  transitions,
  rescue,
  floorPairs,
  createPairs,
  census,
  overhead,
  costs,
  durationSeconds: (Date.now() - started) / 1000,
});
await writeFile(join(PROJECT_ROOT, 'bench', 'results.md'), `${markdown}\n${renderGates(gates)}\n${renderHooks(hooks)}\n${renderCliStart(cliStart)}`);
console.log(`\nwrote bench/results.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
