import type { PromotionResponse } from '../../shared/api/pipeline-responses';
import type { UnsafeTarget } from '../../shared/domain/promotion';
import { STAGES, nextStageOf } from '../../shared/domain/pipeline';
import type { SlipwayApi } from '../api';
import { commaList, defineCommand, requireApp, waitOptions, withApp, withWait } from '../command';
import { ApiRefusal, EXIT, usageError, type ExitCode } from '../exit-codes';
import { paintStatus, printFields, printJson, printLine, printTable } from '../output';
import { parseReleaseRef } from '../release-ref';
import { exitCodeOf, waitForRelease } from '../wait';

const pipelines = defineCommand({
  command: 'pipelines',
  describe: 'list pipelines',
  examples: [['$0 pipelines', 'names and descriptions']],
  run: async (_args, { api, json }) => {
    const all = await api.pipelines();
    if (json) return printJson(all);
    printTable(['NAME', 'DESCRIPTION'], all.map((pipeline) => [pipeline.name, pipeline.description ?? '']), 'No pipelines yet.');
  },
});

const pipelinesCreate = defineCommand({
  command: 'pipelines:create <name>',
  describe: 'create a pipeline (then couple apps to its stages)',
  examples: [['$0 pipelines:create shop', 'a pipeline named shop']],
  builder: (argv) =>
    argv
      .positional('name', { type: 'string', demandOption: true, describe: 'pipeline name' })
      .option('description', { type: 'string', describe: 'what it ships' }),
  run: async (args, { api, json }) => {
    const pipeline = await api.createPipeline({ name: args.name, description: args.description });
    if (json) return printJson(pipeline);
    printLine(`Created pipeline ${pipeline.name}.`);
  },
});

const pipelinesInfo = defineCommand({
  command: 'pipelines:info <pipeline>',
  describe: "a pipeline's stages and the apps coupled to them",
  examples: [['$0 pipelines:info shop', 'stages, apps and required checks'], ['$0 pipelines:info shop --json', '{pipeline, couplings}']],
  builder: (argv) => argv.positional('pipeline', { type: 'string', demandOption: true, describe: 'pipeline name or id' }),
  run: async (args, { api, json }) => {
    const pipeline = await api.pipeline(args.pipeline);
    const couplings = await api.pipelineCouplings(pipeline.id);
    if (json) return printJson({ pipeline, couplings });
    printLine(`=== ${pipeline.name}${pipeline.description ? `: ${pipeline.description}` : ''}`);
    const ordered = [...couplings].sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage));
    printTable(
      ['STAGE', 'APP', 'REQUIRED CHECKS'],
      ordered.map((coupling) => [coupling.stage, coupling.app.name, coupling.required_status_checks.contexts.join(', ')]),
      'No apps coupled yet: `slipway pipelines:couple PIPELINE -a APP --stage STAGE`.',
    );
  },
});

const pipelinesCouple = defineCommand({
  command: 'pipelines:couple <pipeline>',
  describe: 'put an app at a stage of a pipeline',
  examples: [
    ['$0 pipelines:couple shop -a shop-dev --stage development', 'the first stage'],
    ['$0 pipelines:couple shop -a shop-prod --stage production --checks ci/unit,qa/e2e', 'promotions need both checks'],
  ],
  builder: (argv) =>
    withApp(argv)
      .positional('pipeline', { type: 'string', demandOption: true, describe: 'pipeline name or id' })
      .option('stage', { choices: STAGES, demandOption: true, describe: 'stage the app serves' })
      .option('checks', { type: 'string', describe: 'comma-separated contexts that must be success before promoting here' }),
  run: async (args, { api, json }) => {
    const coupling = await api.couple({
      pipeline: args.pipeline,
      app: requireApp(args),
      stage: args.stage,
      required_status_checks: { contexts: commaList(args.checks) },
    });
    if (json) return printJson(coupling);
    printLine(`Coupled ${coupling.app.name} to ${coupling.pipeline.name} at ${coupling.stage}.`);
  },
});

const pipelinesUncouple = defineCommand({
  command: 'pipelines:uncouple',
  describe: 'take an app out of its pipeline (it then releases freely again)',
  examples: [['$0 pipelines:uncouple -a shop-stg', 'shop-stg leaves its pipeline']],
  builder: (argv) => withApp(argv),
  run: async (args, { api, json }) => {
    const coupling = await api.appCoupling(requireApp(args));
    const removed = await api.uncouple(coupling.id);
    if (json) return printJson(removed);
    printLine(`Uncoupled ${removed.app.name} from ${removed.pipeline.name} (it was at ${removed.stage}).`);
  },
});

/** The couplings at the next populated stage after `stage`: where a promotion goes, as `heroku pipelines:promote` picks them. */
export const nextStageCouplings = async (api: SlipwayApi, pipelineId: string, stage: (typeof STAGES)[number]) => {
  const couplings = await api.pipelineCouplings(pipelineId);
  const next = nextStageOf(stage, couplings);
  return { stage: next, couplings: couplings.filter((coupling) => coupling.stage === next) };
};

const downstreamApps = async (api: SlipwayApi, pipelineId: string, stage: (typeof STAGES)[number]) => {
  const next = await nextStageCouplings(api, pipelineId, stage);
  if (!next.stage) throw usageError(`nothing to promote to: no stage after ${stage} has apps`);
  return next.couplings.map((coupling) => coupling.app.name);
};

/** Any failed target fails the promotion; else any unknown or timed-out one makes it unknown. */
const worstOf = (codes: ExitCode[]): ExitCode =>
  codes.includes(EXIT.failed) ? EXIT.failed : codes.find((code) => code !== EXIT.succeeded) ?? EXIT.succeeded;

const printPromotion = (promotion: PromotionResponse) => {
  printFields([
    ['Promoted', `${promotion.source.app.name} v${promotion.source.release.version} (${promotion.pipeline.name})`],
    ...promotion.targets.map(
      (target): [string, string] => [
        target.app.name,
        `${target.release ? `v${target.release.version} ` : ''}${paintStatus(target.status)}${target.error_message ? `: ${target.error_message}` : ''}`,
      ],
    ),
  ]);
};

/**
 * An unsafe promotion's refusal with what its details hold (only `--json` showed them): each target's required
 * checks that are missing or not success on the release, and how to get past it.
 */
const explainUnsafe = (error: unknown, source: string) => {
  if (!(error instanceof ApiRefusal) || error.document.error.code !== 'unsafe_promotion') return error;
  const { targets, release_version: version } = error.document.error.details as { targets?: UnsafeTarget[]; release_version?: number };
  const lacking = (targets ?? []).map(
    (target) => `  ${target.app}: ${[...target.missing.map((context) => `${context} not posted`), ...target.failing.map(({ context, state }) => `${context} ${state}`)].join(', ')}`,
  );
  const release = version === undefined ? '' : ` -r v${version}`;
  return new ApiRefusal(error.status, error.document, [
    'Required checks not success on the release:',
    ...lacking,
    `Post them (\`slipway statuses:set CONTEXT success -a ${source}${release}\`), or promote with --unsafe.`,
  ]);
};

const pipelinesPromote = defineCommand({
  command: 'pipelines:promote',
  describe: "release an app's current (or given) release to the apps of the next stage",
  examples: [
    ['$0 pipelines:promote -a shop-dev --wait', 'to every app of the next stage, following their rollouts'],
    ['$0 pipelines:promote -a shop-stg --to shop-prod-eu,shop-prod-us --release v7', 'v7 to two chosen apps'],
  ],
  builder: (argv) =>
    withWait(withApp(argv))
      .option('to', { type: 'string', describe: 'comma-separated target apps (default: the apps of the next stage)' })
      .option('release', { alias: 'r', type: 'string', describe: 'version (v3) or id to promote (default: the current release)' })
      .option('unsafe', { type: 'boolean', default: false, describe: "promote even when the targets' required checks are not all success" }),
  run: async (args, session) => {
    const { api } = session;
    const source = requireApp(args);
    const coupling = await api.appCoupling(source);
    const targets = args.to ? commaList(args.to) : await downstreamApps(api, coupling.pipeline.id, coupling.stage);
    const release = args.release ? await api.release(source, parseReleaseRef(args.release)) : undefined;
    const promotion = await api
      .promote(
        {
          pipeline: { id: coupling.pipeline.id },
          source: { app: { name: source }, ...(release ? { release: { id: release.id } } : {}) },
          targets: targets.map((name) => ({ app: { name } })),
          safe: !args.unsafe,
        },
        session.idempotencyKey,
      )
      .catch((error: unknown) => {
        throw explainUnsafe(error, source);
      });
    if (!session.json) printPromotion(promotion);
    if (!args.wait) return session.json ? printJson(promotion) : undefined;
    const codes: ExitCode[] = [];
    for (const target of promotion.targets) {
      if (!target.release) codes.push(EXIT.failed);
      else codes.push(exitCodeOf(await waitForRelease(api, target.app.name, target.release.id, waitOptions(args, session))));
    }
    if (session.json) printJson(await api.promotion(promotion.id));
    return worstOf(codes);
  },
});

export const pipelineCommands = [pipelines, pipelinesCreate, pipelinesInfo, pipelinesCouple, pipelinesUncouple, pipelinesPromote];
