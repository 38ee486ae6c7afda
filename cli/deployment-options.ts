import type { Argv } from 'yargs';
import type * as z from 'zod';
import type { DeploymentSettingsSchema } from '../shared/api/apps';
import { DEPLOYMENT_STRATEGY_NAMES, ECS_BOUNDS, type DeploymentSettings, type StrategyName } from '../shared/domain/deployment-strategy/settings';
import { commaList } from './command';
import { usageError } from './exit-codes';

export type DeploymentRequest = z.input<ReturnType<typeof DeploymentSettingsSchema>>;

const GROUP = 'Deployment (how releases roll out):';
const SHIFTING: StrategyName[] = ['canary', 'linear', 'blue_green'];

/** The number options beside --strategy: the field each sets, and the strategies that take it. */
const FIELDS = [
  { option: 'canary-percent', key: 'canaryPercent', field: 'canary_percent', strategies: ['canary'] },
  { option: 'canary-bake', key: 'canaryBake', field: 'canary_bake_minutes', strategies: ['canary'] },
  { option: 'step-percent', key: 'stepPercent', field: 'step_percent', strategies: ['linear'] },
  { option: 'step-bake', key: 'stepBake', field: 'step_bake_minutes', strategies: ['linear'] },
  { option: 'bake', key: 'bake', field: 'bake_minutes', strategies: SHIFTING },
] as const;

type DeploymentArgs = {
  strategy?: StrategyName | undefined;
  canaryPercent?: number | undefined;
  canaryBake?: number | undefined;
  stepPercent?: number | undefined;
  stepBake?: number | undefined;
  bake?: number | undefined;
  alarms?: string | undefined;
  gateChecks?: string | undefined;
  gateApproval?: boolean | undefined;
  gateTimeout?: number | undefined;
};

/** `--strategy` and its settings, as `apps:create` and `apps:deployment:set` take them. */
export const withDeploymentOptions = <T>(argv: Argv<T>, strategy: { required: boolean }) =>
  argv
    .option('strategy', {
      choices: DEPLOYMENT_STRATEGY_NAMES,
      demandOption: strategy.required,
      describe: 'rolling (the default), canary, linear or blue_green: ECS runs it',
      group: GROUP,
    })
    .option('canary-percent', {
      type: 'number',
      describe: `canary: share of production traffic the new revision takes first (default ${ECS_BOUNDS.canaryPercent.default})`,
      group: GROUP,
    })
    .option('canary-bake', { type: 'number', describe: `canary: minutes it holds that share (default ${ECS_BOUNDS.canaryBakeMinutes.default})`, group: GROUP })
    .option('step-percent', {
      type: 'number',
      describe: `linear: share of production traffic each step moves (default ${ECS_BOUNDS.stepPercent.default})`,
      group: GROUP,
    })
    .option('step-bake', { type: 'number', describe: `linear: minutes each step holds (default ${ECS_BOUNDS.stepBakeMinutes.default})`, group: GROUP })
    .option('bake', { type: 'number', describe: 'canary, linear, blue_green: minutes both revisions keep running after the full shift (default 0)', group: GROUP })
    .option('alarms', { type: 'string', describe: 'comma-separated CloudWatch alarm names: any in ALARM rolls the release back', group: GROUP })
    .option('gate-checks', { type: 'string', describe: 'comma-separated status checks that must succeed before traffic shifts on (canary, linear, blue_green)', group: GROUP })
    .option('gate-approval', { type: 'boolean', describe: 'an operator must approve (releases:approve) before traffic shifts on', group: GROUP })
    .option('gate-timeout', {
      type: 'number',
      describe: `minutes the gate waits before the release rolls back (default ${ECS_BOUNDS.gateTimeoutMinutes.default})`,
      group: GROUP,
    });

const GATE_OPTIONS = [
  ['gate-checks', 'gateChecks'],
  ['gate-approval', 'gateApproval'],
  ['gate-timeout', 'gateTimeout'],
] as const;

/**
 * The `deployment` the options describe (undefined when none was given: the app keeps or gets the default). An
 * option the strategy does not take is a usage error; the values themselves the API checks, as ECS bounds them.
 */
export const deploymentOf = (args: DeploymentArgs): DeploymentRequest | undefined => {
  const given = [...FIELDS.map(({ option, key }) => [option, key] as const), ['alarms', 'alarms'] as const, ...GATE_OPTIONS].filter(
    ([, key]) => args[key] !== undefined,
  );
  const strategy = args.strategy;
  if (!strategy) {
    if (given.length > 0) throw usageError(`--${given[0]?.[0]} sets a deployment strategy's setting: give --strategy too`);
    return undefined;
  }
  const misplaced = [...FIELDS, ...GATE_OPTIONS.map(([option, key]) => ({ option, key, strategies: SHIFTING }))].find(
    ({ key, strategies }) => args[key] !== undefined && !(strategies as readonly StrategyName[]).includes(strategy),
  );
  if (misplaced) throw usageError(`--${misplaced.option} does not apply to --strategy ${strategy} (only ${misplaced.strategies.join(', ')})`);
  const fields = Object.fromEntries(FIELDS.filter(({ key }) => args[key] !== undefined).map(({ key, field }) => [field, args[key]]));
  const gateGiven = GATE_OPTIONS.some(([, key]) => args[key] !== undefined);
  const gate = gateGiven
    ? {
        ...(args.gateChecks === undefined ? {} : { checks: commaList(args.gateChecks) }),
        ...(args.gateApproval === undefined ? {} : { approval: args.gateApproval }),
        ...(args.gateTimeout === undefined ? {} : { timeout_minutes: args.gateTimeout }),
      }
    : undefined;
  return {
    strategy,
    ...fields,
    ...(args.alarms === undefined ? {} : { alarms: commaList(args.alarms) }),
    ...(gate ? { gate } : {}),
  } as DeploymentRequest;
};

const STRATEGY_WORDS: Record<StrategyName, string> = {
  rolling: 'rolling: new tasks replace the old ones in batches',
  canary: 'canary: a share of production traffic first, for its bake, then all of it',
  linear: 'linear: production traffic moves in equal steps, each held for its bake',
  blue_green: 'blue_green: the new revision starts in full beside the old one, then takes all production traffic at once',
};

/** The app's settings as sentences, one per line of `apps:deployment`. */
export const deploymentFields = (settings: DeploymentSettings): [string, string][] => {
  const alarms: [string, string] = ['Alarms', settings.alarms?.length ? `${settings.alarms.join(', ')} (any in ALARM rolls back)` : 'none'];
  if (settings.strategy === 'rolling') return [['Strategy', STRATEGY_WORDS.rolling], alarms];
  const steps: [string, string][] =
    settings.strategy === 'canary'
      ? [['Canary', `${settings.canary_percent}% of production traffic for ${settings.canary_bake_minutes} min, then all of it`]]
      : settings.strategy === 'linear'
        ? [['Steps', `${settings.step_percent}% of production traffic at a time, each held ${settings.step_bake_minutes} min`]]
        : [];
  const gate = settings.gate;
  const waitsFor = gate ? [...gate.checks.map((check) => `${check} success`), ...(gate.approval ? ["an operator's approval"] : [])] : [];
  const waitsForWords = waitsFor.length > 1 ? `${waitsFor.slice(0, -1).join(', ')} and ${waitsFor.at(-1)}` : (waitsFor[0] ?? '');
  return [
    ['Strategy', STRATEGY_WORDS[settings.strategy]],
    ...steps,
    ['Final bake', settings.bake_minutes > 0 ? `${settings.bake_minutes} min with both revisions running` : 'none'],
    alarms,
    ['Gate', gate ? `waits for ${waitsForWords}; rolls back after ${gate.timeout_minutes} min` : 'none'],
  ];
};
