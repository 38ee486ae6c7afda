import type { Argv } from 'yargs';
import type { CreateReleaseBody } from '../../shared/api/releases';
import type { ReleaseResponse } from '../../shared/api/release-responses';
import { defineCommand, requireApp, waitOptions, withApp, withTimeout, withWait } from '../command';
import { EXIT, usageError } from '../exit-codes';
import { rolloutStage } from '../../shared/api/rollout-words';
import { age, clockTime, paint, paintStatus, printFields, printJson, printLine, printTable } from '../output';
import { currentRelease, parseReleaseRef, rollbackTarget, versionLabel } from '../release-ref';
import type { Session } from '../session';
import { whyReleaseEnded } from '../../shared/domain/release-outcome';
import { exitCodeOf, waitForRelease } from '../wait';

const withBuildOptions = <T>(argv: Argv<T>) =>
  argv
    .option('sha', { type: 'string', describe: 'commit id (hex)' })
    .option('branch', { type: 'string', describe: 'branch the build came from' })
    .option('build-version', { type: 'string', describe: "the build's own version label" })
    .option('repo', { type: 'string', describe: 'source repository URL' })
    .option('author', { type: 'string', describe: 'commit author' })
    .option('message', { type: 'string', describe: 'commit message' });

type BuildArgs = { sha?: string; branch?: string; buildVersion?: string; repo?: string; author?: string; message?: string };

const buildRequest = (image: string, args: BuildArgs) => ({
  image,
  sha: args.sha,
  branch: args.branch,
  version: args.buildVersion,
  repo: args.repo,
  author: args.author,
  message: args.message,
});

/** Creates the release under this invocation's Idempotency-Key, then reports it or follows it to the end. */
const release = async (
  app: string,
  request: CreateReleaseBody,
  args: { wait: boolean; timeout: number },
  session: Session,
) => {
  const created = await session.api.createRelease(app, request, session.idempotencyKey);
  if (!session.json) printLine(`${created.description} on ${app}: ${versionLabel(created)} ${paintStatus(created.status)}`);
  const final = args.wait ? await waitForRelease(session.api, app, created.id, waitOptions(args, session)) : created;
  if (session.json) printJson(final);
  return args.wait ? exitCodeOf(final) : EXIT.succeeded;
};

/** A release's checks: their combined state, or none when none was posted (its `pending` would say they are running). */
const checksOf = (release: ReleaseResponse, posted: (count: number) => string = () => '') =>
  release.checks_posted === 0 ? paint('gray', 'none') : `${paintStatus(release.state)}${posted(release.checks_posted)}`;

/** The last column, whole (its end is often the point: "tasks failed to start"), on the row's one line. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

const releasePhaseSummary = (run: NonNullable<ReleaseResponse['release_phase']>) =>
  `${paintStatus(run.status)}${run.exit_code === null ? '' : ` (exit code ${run.exit_code})`}${run.output_url ? ' - `slipway releases:output` prints it' : ''}`;

/** Who approved, promoted or aborted the release at its gate or bakes, and when. */
const operatorActions = (rollout: ReleaseResponse['rollout']): [string, string][] =>
  (
    [
      ['Approved by', rollout?.approved_by],
      ['Promoted by', rollout?.promoted_by],
      ['Aborted by', rollout?.aborted_by],
    ] as const
  ).flatMap(([label, action]) => (action ? [[label, `${action.actor} at ${action.at}`] as [string, string]] : []));

const describeRelease = (release: ReleaseResponse) => {
  const rollout = release.rollout;
  const reason = whyReleaseEnded(release);
  const stage = rolloutStage(rollout, clockTime);
  printLine(`=== ${release.app.name} ${versionLabel(release)}${release.current ? paint('green', ' (current)') : ''}`);
  printFields([
    ['Id', release.id],
    ['Description', release.description],
    ['Status', paintStatus(release.status)],
    ...(reason ? ([['Reason', reason]] as [string, string][]) : []),
    ...(release.superseded_by ? ([['Superseded by', `${versionLabel(release.superseded_by)} (${release.superseded_by.id})`]] as [string, string][]) : []),
    ['Checks', checksOf(release, (count) => ` (${count} posted)`)],
    ['Trigger', release.trigger],
    ['Build', release.slug.id],
    ['By', release.user.email],
    ['Created', `${release.created_at} (${age(release.created_at)})`],
    ['Finished', release.finished_at ?? '-'],
    ['Tasks', rollout ? `${rollout.running_new}/${rollout.desired} new, ${rollout.failed_tasks} failed` : '-'],
    ...(release.release_phase ? ([['Release phase', releasePhaseSummary(release.release_phase)]] as [string, string][]) : []),
    ...(stage ? ([['Rollout', stage]] as [string, string][]) : []),
    ...operatorActions(rollout),
    ...(rollout?.message && !reason ? ([['Message', rollout.message]] as [string, string][]) : []),
  ]);
};

const builds = defineCommand({
  command: 'builds',
  describe: "list an app's builds (oldest first)",
  examples: [['$0 builds -a web', 'ids, images and commits']],
  builder: (argv) => withApp(argv).option('num', { alias: 'n', type: 'number', default: 100, describe: 'how many' }),
  run: async (args, { api, json }) => {
    const list = await api.builds(requireApp(args), args.num);
    if (json) return printJson(list);
    printTable(
      ['ID', 'STATUS', 'IMAGE', 'COMMIT', 'BRANCH', 'CREATED'],
      list.map((build) => [
        build.id,
        paintStatus(build.status),
        build.source_blob.image,
        build.source_blob.commit ?? '',
        build.source_blob.branch ?? '',
        age(build.created_at),
      ]),
      'No builds yet: register one with `slipway builds:create --image IMAGE` or `slipway deploy IMAGE`.',
    );
  },
});

const buildsCreate = defineCommand({
  command: 'builds:create',
  describe: 'register a container image CI built, without releasing it',
  examples: [['$0 builds:create -a web --image registry/web:v2 --sha 1a2b3c4', 'prints the build id to release']],
  builder: (argv) =>
    withBuildOptions(withApp(argv))
      .option('image', { type: 'string', demandOption: true, describe: 'image reference (registry/repo:tag[@sha256:digest])' })
      .option('pending', { type: 'boolean', default: false, describe: 'the build is still running (auto-release waits for it)' }),
  run: async (args, { api, json }) => {
    const build = await api.createBuild(requireApp(args), {
      ...buildRequest(args.image, args),
      status: args.pending ? 'pending' : 'succeeded',
    });
    if (json) return printJson(build);
    printLine(`Build ${build.id} (${build.source_blob.image}) ${paintStatus(build.status)}`);
  },
});

const releases = defineCommand({
  command: 'releases',
  describe: "list an app's releases, newest first",
  examples: [
    ['$0 releases -a web', 'the 15 newest releases'],
    ['$0 releases -a web -n 50 --json', 'the 50 newest, as the API returns them'],
  ],
  builder: (argv) => withApp(argv).option('num', { alias: 'n', type: 'number', default: 15, describe: 'how many' }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    if (!Number.isInteger(args.num) || args.num < 1) throw usageError('--num must be a whole number of releases, at least 1');
    const list = await api.newestReleases(app, args.num);
    if (json) return printJson(list);
    printLine(`=== ${app} releases`);
    printTable(
      ['VERSION', 'STATUS', 'CHECKS', 'DESCRIPTION', 'BY', 'CREATED', 'REASON'],
      list.map((item) => [
        `${versionLabel(item)}${item.current ? '*' : ''}`,
        paintStatus(item.status),
        checksOf(item),
        item.description,
        item.user.email,
        age(item.created_at),
        oneLine(whyReleaseEnded(item) ?? ''),
      ]),
      'No releases yet: `slipway deploy IMAGE` makes the first.',
    );
    if (list.some((item) => item.current)) printLine(paint('gray', '* current'));
  },
});

const releasesInfo = defineCommand({
  command: 'releases:info [release]',
  describe: 'one release in detail (default: the current one)',
  examples: [['$0 releases:info v3 -a web', 'version 3'], ['$0 releases:info -a web', 'the current release']],
  builder: (argv) => withApp(argv).positional('release', { type: 'string', describe: 'version (v3) or release id' }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const found = args.release ? await api.release(app, parseReleaseRef(args.release)) : await currentRelease(api, app);
    if (json) return printJson(found);
    describeRelease(found);
  },
});

const releasesCreate = defineCommand({
  command: 'releases:create',
  describe: 'release a registered build',
  examples: [['$0 releases:create -a web --build 7c9e6679-7425-40de-944b-e07fc1f90ae7 --wait', 'release it and follow the rollout']],
  builder: (argv) =>
    withWait(withApp(argv))
      .option('build', { type: 'string', demandOption: true, describe: 'build id (from `slipway builds`)' })
      .option('description', { type: 'string', describe: 'what this release is for' }),
  run: (args, session) => release(requireApp(args), { slug: args.build, description: args.description }, args, session),
});

const deploy = defineCommand({
  command: 'deploy <image>',
  describe: 'register an image as a build and release it, in one step',
  examples: [
    ['$0 deploy registry/web:v2 -a web --wait', 'release and follow the rollout live; exit 0 only if it succeeded'],
    ['$0 deploy registry/web:v2 -a web --sha 1a2b3c4 --json', 'the new release as JSON'],
  ],
  builder: (argv) =>
    withWait(withBuildOptions(withApp(argv)))
      .positional('image', { type: 'string', demandOption: true, describe: 'image reference (registry/repo:tag[@sha256:digest])' })
      .option('description', { type: 'string', describe: 'what this release is for' }),
  run: async (args, session) => {
    const app = requireApp(args);
    const build = await session.api.createBuild(app, buildRequest(args.image, args));
    // Named by what people recognise (the server's default would name the build by its id, having no version label).
    const commit = build.source_blob.commit ? ` (${build.source_blob.commit.slice(0, 7)})` : '';
    const description = args.description ?? `Deploy ${build.source_blob.image}${commit}`;
    return release(app, { slug: build.id, description }, args, session);
  },
});

const rollback = defineCommand({
  command: 'rollback [release]',
  aliases: ['releases:rollback'],
  describe: 'release an earlier release again (default: the one that succeeded before the current one)',
  examples: [
    ['$0 rollback -a web --wait', 'back to the previous good release, following the rollout'],
    ['$0 rollback v3 -a web', 'back to version 3'],
  ],
  builder: (argv) => withWait(withApp(argv)).positional('release', { type: 'string', describe: 'version (v3) or release id' }),
  run: async (args, session) => {
    const app = requireApp(args);
    const target = await rollbackTarget(session.api, app, args.release);
    return release(app, { release: target.id }, args, session);
  },
});

const releasesOutput = defineCommand({
  command: 'releases:output [release]',
  describe: "print what a release's release phase printed (default: the newest release)",
  examples: [['$0 releases:output v4 -a web', "v4's release phase output, line by line"]],
  builder: (argv) => withApp(argv).positional('release', { type: 'string', describe: 'version (v3) or release id' }),
  run: async (args, { api, json }) => {
    const app = requireApp(args);
    const [target] = args.release ? [await api.release(app, parseReleaseRef(args.release))] : await api.newestReleases(app, 1);
    if (!target) throw usageError(`${app} has no releases`);
    const output = await api.releasePhaseOutput(app, target.id);
    if (json) return printJson(output);
    for (const line of output.lines) printLine(line.text);
    if (!output.complete) printLine(paint('gray', `(${versionLabel(target)}'s release phase is still running: run this again for more)`));
  },
});

const releasesWait = defineCommand({
  command: 'releases:wait [release]',
  describe: 'follow a release until its rollout settles (default: the newest release)',
  examples: [['$0 releases:wait v4 -a web', 'exit 0 if v4 succeeds, 1 if it fails, 3 if unknown or timed out']],
  builder: (argv) =>
    withTimeout(withApp(argv)).positional('release', { type: 'string', describe: 'version (v3) or release id' }),
  run: async (args, session) => {
    const app = requireApp(args);
    const [newest] = args.release ? [await session.api.release(app, parseReleaseRef(args.release))] : await session.api.newestReleases(app, 1);
    if (!newest) throw usageError(`${app} has no releases to wait for`);
    const final = await waitForRelease(session.api, app, newest.id, waitOptions(args, session));
    if (session.json) printJson(final);
    return exitCodeOf(final);
  },
});

export const releaseCommands = [builds, buildsCreate, releases, releasesInfo, releasesOutput, releasesCreate, deploy, rollback, releasesWait];
