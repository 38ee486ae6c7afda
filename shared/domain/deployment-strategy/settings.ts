import type { GateSettings } from './holds';

/**
 * How an app asks its releases to roll out (`deployment` on the app), in the API's words. Each strategy module
 * turns its settings into a DeploymentStrategy; the bounds below are ECS's own (UpdateService's
 * deploymentConfiguration), so what Slipway accepts ECS accepts too.
 */

export const DEPLOYMENT_STRATEGY_NAMES = ['rolling', 'canary', 'linear', 'blue_green'] as const;
export type StrategyName = (typeof DEPLOYMENT_STRATEGY_NAMES)[number];

/** A bound of a setting, with the value ECS takes when it is not given. */
export type Bound = { min: number; max: number; default: number };

/** ECS's bounds: canaryPercent 0.1-100 and stepPercent 3-100 in steps of 0.1; every bake time 0-1440 minutes. */
export const ECS_BOUNDS = {
  canaryPercent: { min: 0.1, max: 100, default: 5 },
  canaryBakeMinutes: { min: 0, max: 1440, default: 10 },
  stepPercent: { min: 3, max: 100, default: 10 },
  stepBakeMinutes: { min: 0, max: 1440, default: 6 },
  bakeMinutes: { min: 0, max: 1440, default: 0 },
  /** A lifecycle hook's timeout: 1-1440 minutes (ECS's default is 1440); a gate's wait comes on top of its step's bake. */
  gateTimeoutMinutes: { min: 1, max: 1440, default: 60 },
} as const satisfies Record<string, Bound>;

/** CloudWatch alarm names: 1-255 characters; a deployment watches at most this many. */
export const MAX_DEPLOYMENT_ALARMS = 10;

/** Whether a percentage is a multiple of 0.1, as ECS requires of canaryPercent and stepPercent. */
export const isTenth = (value: number): boolean => Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;

/** Alarms any strategy may watch: one in ALARM fails the deployment and ECS rolls it back. */
type Watched = { alarms?: string[] | undefined };
/**
 * Blue/green, linear and canary keep both revisions this long once all production traffic shifted, and may gate
 * their shifts on status checks and an operator's approval.
 */
type Baked = Watched & { bake_minutes: number; gate?: GateSettings | undefined };

export type RollingSettings = Watched & { strategy: 'rolling' };
export type CanarySettings = Baked & { strategy: 'canary'; canary_percent: number; canary_bake_minutes: number };
export type LinearSettings = Baked & { strategy: 'linear'; step_percent: number; step_bake_minutes: number };
export type BlueGreenSettings = Baked & { strategy: 'blue_green' };

export type DeploymentSettings = RollingSettings | CanarySettings | LinearSettings | BlueGreenSettings;

/** What an app that never chose rolls out with. */
export const DEFAULT_DEPLOYMENT: RollingSettings = { strategy: 'rolling' };
