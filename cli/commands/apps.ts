import type { ReleaseResponse } from '../../shared/api/release-responses';
import { rolloutStage } from '../../shared/api/rollout-words';
import type { SlipwayApi } from '../api';
import { defineCommand, requireApp, withApp } from '../command';
import { deploymentOf, withDeploymentOptions } from '../deployment-options';
import { ApiRefusal } from '../exit-codes';
import { age, clockTime, paintStatus, printFields, printJson, printLine, printTable } from '../output';
import { versionLabel } from '../release-ref';
import { nextStageCouplings } from './pipelines';

const apps = defineCommand({
  command: 'apps',
  describe: 'list the apps your key may see',
  examples: [['$0 apps', 'names, clusters and services']],
  run: async (_args, { api, json }) => {
    const list = await api.apps();
    if (json) return printJson(list);
    printTable(
      ['NAME', 'CLUSTER', 'SERVICE', 'AUTO RELEASE', 'CREATED'],
      list.map((app) => [app.name, app.cluster ?? '(external)', app.service ?? '-', app.auto_release ? 'yes' : 'no', age(app.created_at)]),
      'No apps yet: create one with `slipway apps:create`.',
    );
  },
});

/** The contexts a release of `app` needs before a safe promotion: what the apps of the next stage require. */
const requiredToPromote = async (api: SlipwayApi, app: string): Promise<string[]> => {
  const coupling = await api.appCoupling(app).catch((error: unknown) => {
    if (error instanceof ApiRefusal && error.status === 404) return null;
    throw error;
  });
  if (!coupling) return [];
  const next = await nextStageCouplings(api, coupling.pipeline.id, coupling.stage);
  return [...new Set(next.couplings.flatMap((target) => target.required_status_checks.contexts))];
};

/** The aggregate state of the checks only when there are any: with none posted and none required, "pending" would mislead. */
const checksOf = async (api: SlipwayApi, app: string, release: ReleaseResponse) => {
  const [{ state, statuses }, required] = await Promise.all([api.statuses(app, release.id), requiredToPromote(api, app)]);
  const needs = required.length > 0 ? `promoting needs ${required.join(', ')}` : 'none required to promote';
  if (statuses.length === 0) return required.length > 0 ? `${paintStatus(state)} (none posted; ${needs})` : 'none required, none posted';
  return `${paintStatus(state)} (${statuses.length} posted; ${needs})`;
};

const appsInfo = defineCommand({
  command: 'apps:info',
  describe: 'what is live on an app now: current release, image, checks, tasks',
  examples: [['$0 apps:info -a web', 'the current release of web'], ['$0 apps:info -a web --json', '{app, current_release, build}']],
  builder: (argv) => withApp(argv),
  run: async (args, { api, json }) => {
    const name = requireApp(args);
    const app = await api.app(name);
    const [current] = await api.newestReleases(app.name, 1, 'succeeded');
    const build = current ? await api.slug(current.slug.id) : null;
    if (json) return printJson({ app, current_release: current ?? null, build });
    const checks = current ? await checksOf(api, app.name, current) : '-';
    printLine(`=== ${app.name}`);
    const rollout = current?.rollout;
    const inFlight = app.rollout_in_flight;
    const stage = inFlight ? rolloutStage(inFlight.rollout, clockTime) : null;
    printFields([
      ['Cluster', app.cluster ?? '(external: releases are recorded, never deployed)'],
      ['Service', app.service ?? '-'],
      ['Auto release', app.auto_release ? 'yes' : 'no'],
      ['Current release', current ? `${versionLabel(current)} (${current.description}, ${age(current.created_at)})` : 'none'],
      ['Image', build?.source_blob.image ?? '-'],
      ['Status', current ? paintStatus(current.status) : '-'],
      ['Checks', checks],
      ['Tasks', rollout ? `${rollout.running_new}/${rollout.desired} running` : '-'],
      ['Rolling out', inFlight ? `${versionLabel(inFlight)} (${paintStatus(inFlight.status)}${stage ? `, ${stage}` : ''})` : '-'],
      ['Deployment', `${app.deployment.strategy} (\`slipway apps:deployment -a ${app.name}\` tells more)`],
      ['Auto rollback', app.auto_rollback ? `yes, within ${app.bake_window_seconds} s of going live` : 'no'],
    ]);
  },
});

const appsCreate = defineCommand({
  command: 'apps:create <name>',
  describe: 'register an app: the ECS service Slipway releases to',
  examples: [
    ['$0 apps:create web --cluster prod --service web', 'an app deploying to the web service of cluster prod'],
    ['$0 apps:create mobile-app', 'an external app: its releases are recorded, never deployed'],
    [
      '$0 apps:create shop --cluster prod --service shop --strategy canary --canary-percent 10 --canary-bake 5 --gate-checks ci/smoke --gate-approval',
      'releases take 10% of traffic for 5 minutes, then wait for ci/smoke and an approval',
    ],
  ],
  builder: (argv) =>
    withDeploymentOptions(argv, { required: false })
      .positional('name', { type: 'string', demandOption: true, describe: 'app name (lowercase letters, digits, dashes)' })
      .option('cluster', { type: 'string', describe: 'ECS cluster name or ARN (omit with --service for an external app)' })
      .option('service', { type: 'string', describe: 'ECS service name or ARN (omit with --cluster for an external app)' })
      .option('container', { type: 'string', describe: 'container whose image releases replace (default: the first)' })
      .option('auto-release', { type: 'boolean', default: false, describe: 'release every build once it succeeds' }),
  run: async (args, { api, json }) => {
    const app = await api.createApp({
      name: args.name,
      cluster: args.cluster,
      service: args.service,
      container: args.container,
      auto_release: args.autoRelease,
      deployment: deploymentOf(args),
    });
    if (json) return printJson(app);
    printLine(
      app.external
        ? `Created ${app.name} (external: Slipway records its releases and never deploys them).`
        : `Created ${app.name} (${app.cluster}/${app.service}, ${app.deployment.strategy} deployments).`,
    );
  },
});

export const appCommands = [apps, appsInfo, appsCreate];
