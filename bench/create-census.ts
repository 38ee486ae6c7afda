import type { CallCensus } from './calls';
import type { LoadFigures } from './http-load';

/**
 * Why each DynamoDB call of a create is there, by the call as the census names it (bench/dynamo-census.ts:
 * the command and the keys it touched, ids left out). Read off the code paths: functions/releases.ts →
 * shared/operations/releases.ts → shared/store/release-claims-store.ts, and functions/pipelines.ts →
 * shared/operations/promotions.ts; the relay of a committed change's events is shared/events/relay.ts.
 */
const WHY: [RegExp, string][] = [
  [/^BatchGetItem \[APIKEY#…\/APIKEY, APPS\/APP#/, 'authentication: the presented key and the app the path names, one consistent read'],
  [/^GetItem APIKEY#…\/APIKEY/, 'authentication: the presented key (a promotion names its apps in the body, not the path)'],
  [/^GetItem PIPELINES\/PIPELINE#/, 'the pipeline the promotion names'],
  [/^GetItem APPS\/APP#/, 'an app the body names (the source, then each target), read by name'],
  [/^GetItem APP#…\/COUPLING$/, "the app's pipeline coupling: a stage that takes promotions only refuses direct releases; for a promotion, the source's and each target's stage"],
  [/^Query gsi2 \(PIPELINE#…, COUPLING#\)/, "the pipeline's couplings: the targets must be the source's next stage"],
  [/^GetItem APP#…\/REL#N$/, 'a release by version: the source release (its build, image and config), or, after the answer, the release whose events the relay sends'],
  [/^GetItem APP#…\/BUILD#/, 'the slug the release deploys: it must exist, have succeeded and belong to the app (its image and labels)'],
  [/^PutItem PROMOTION#/, 'the promotion record, with a lease, before any target is released: a crash leaves it for whoever carries it on'],
  [/^Query gsi1 \(ID#…, APP\)/, 'an app by id: a promotion target (read again from the promotion record), or the app of the release whose events the relay sends'],
  [/^Query lsi1 \(APP#…, RELID#…\)/, "the release under the target's fixed id, if an earlier attempt recorded it (a promotion retried finds its release)"],
  [/^Query gsi1 \(ID#…, BUILD\)/, "the source release's build by id: its labels and commits for the target's release"],
  [/^PutItem APP#…\/RELEASE_INTENT#/, 'the intent: the whole release before its version is claimed, so a crash after the claim leaves it recoverable (must)'],
  [/^UpdateItem APP#…\/RELEASE_SEQUENCE \(refused\)/, "the version claim, refused: the app has no sequence yet (its first release)"],
  [/^GetItem APP#…\/RELEASE_SEQUENCE/, 'the sequence after a refused claim: why it was refused (absent here, so it is created)'],
  [/^Query table \(APP#…, REL#\)/, "the app's newest release, where a new sequence starts (first release of an app only)"],
  [/^PutItem APP#…\/RELEASE_SEQUENCE/, "the app's version sequence, created once (first release of an app only)"],
  [/^UpdateItem APP#…\/RELEASE_SEQUENCE/, 'the claim of the next version, or, after the release is in its slot, the claim settled (placed)'],
  [/^Query table \(APP#…, CONFIG#\)/, "the app's newest config version, read after the claim: a config change lands either in this release or in its own"],
  [/^BatchWriteItem \[APP#…\/RIX#/, "the release's index rows (by build, trigger, time): filtered lists and metrics are key-range Queries (must)"],
  [/^PutItem APP#…\/REL#N/, "the release in its version slot, with its events in the outbox (must)"],
  [/^DeleteItem APP#…\/RELEASE_INTENT#/, 'the intent retired: the release is in its slot'],
  [/^UpdateItem PROMOTION#/, "the promotion's progress: each target's release, the lease given up; then the events relayed"],
  [/^BatchGetItem \[APP#…\/REL#N/, "the targets' releases, for the promotion's answer (each target's status is its release's)"],
  [/^GetItem PROMOTION#/, 'the promotion, read by the relay of its events'],
  [/^Query table \(APP#…, HOOK#\)/, "the app's hooks: the relay hands each event to the hooks that want it"],
  [/^UpdateItem APP#…\/REL#N/, "the release's outbox cleared once its events are published (the relay, after the answer)"],
];

const whyOf = (call: string): string => WHY.find(([pattern]) => pattern.test(call))?.[1] ?? 'not accounted for';

const CENSUSED: readonly string[] = ['POST /apps/{app}/releases', 'POST /pipeline-promotions'];

const table = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export const renderCreateCensus = (census: CallCensus, createPairs: readonly { slipway: LoadFigures; floor: LoadFigures }[]): string => {
  const sections = CENSUSED.map((route) => {
    const row = census.routes.find((candidate) => candidate.route === route);
    if (!row) return `### ${route}\n\nNot in the census.\n`;
    return `### ${route}: ${row.reads} reads, ${row.writes} writes

${table(['#', 'call', 'why'], row.calls.map((call, index) => [String(index + 1), `\`${call}\``, whyOf(call)]))}
`;
  });
  return `## Creates: every DynamoDB call, and a floor of only a release's writes

The census's create (the first release of its app, so its sequence is created on the way) and its promotion to one
target (that target's first release as well), each call as it was sent, refused ones included (a refused
conditional write is billed). The event relay's calls come after the answer (the outbox of what was committed).
Removed since the census was taken at 10 reads and 8 writes (create) and 32 calls (promotion): the lookup of a
fresh release id (\`Query lsi1 RELID#\`) that \`POST /apps/{app}/releases\` made before recording, which no attempt
can have recorded under an id runOnce has just drawn or looked up; and, for each target of a promotion just
inserted, the same lookup of its release id and the target app read again by id (\`Query gsi1 ID#…/APP\`), which
\`promote\` had just read by name (whoever carries a cut-short promotion on still makes both).

${sections.join('\n')}
The floor (bench/floor-server.ts, behind the same local API Gateway) makes only the writes a release must make:
its intent, the version claim (one update of the app's sequence), then the release in its slot and its three
index rows side by side; no authentication, reads, validation or events. Both round-robin over 10 apps,
10 connections, in pairs.

${table(
  ['pair', 'Slipway req/s', 'Slipway p50/p99 ms', 'floor req/s', 'floor p50/p99 ms', 'p50 / p99 ratio'],
  createPairs.map((pair, index) => [
    String(index + 1),
    pair.slipway.requestsPerSecond.toFixed(0),
    `${pair.slipway.p50Ms}/${pair.slipway.p99Ms}`,
    pair.floor.requestsPerSecond.toFixed(0),
    `${pair.floor.p50Ms}/${pair.floor.p99Ms}`,
    `${(pair.slipway.p50Ms / pair.floor.p50Ms).toFixed(2)}× / ${(pair.slipway.p99Ms / pair.floor.p99Ms).toFixed(2)}×`,
  ]),
)}
`;
};

/** The Targets table's row: reported, not a verdict (the issue sets no ratio for creates). */
export const createFloorRow = (createPairs: readonly { slipway: LoadFigures; floor: LoadFigures }[]): [string, string, string] => {
  const last = createPairs.at(-1);
  return [
    "create p50/p99 against a floor of only a release's writes (intent, claim, slot, index rows), reported",
    last ? `Slipway ${last.slipway.p50Ms}/${last.slipway.p99Ms} ms, floor ${last.floor.p50Ms}/${last.floor.p99Ms} ms (last of ${createPairs.length} pairs)` : 'not run',
    'reported',
  ];
};
