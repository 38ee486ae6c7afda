import { DEFAULT_DEADLINE_SECONDS } from '../domain/rollout';
import type { Release } from '../domain/model';
import { config } from '../config/config';
import type { RolloutInput } from './contract';

/** ROLLOUT_DEADLINE_SECONDS (fractions allowed, for tests): how long a deployment may take before it is `unknown`. */
export const configuredDeadlineSeconds = (): number => {
  return config().rolloutDeadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
};

/** What the state machine is started with for a release: the same for a first start and for any restart. */
export const rolloutInputOf = (release: Pick<Release, 'id' | 'version' | 'app'>): RolloutInput => ({
  appId: release.app.id,
  appName: release.app.name,
  releaseId: release.id,
  version: release.version,
  deadlineSeconds: configuredDeadlineSeconds(),
});
