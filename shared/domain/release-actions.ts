import { shiftsTraffic, strategyFor } from './deployment-strategy';
import { DomainError } from './errors';
import type { Release } from './model';
import { settingsOf } from './rollout';

/** What an operator may do to a release while its deployment shifts traffic. */
const RELEASE_ACTIONS = ['approve', 'promote', 'abort'] as const;
export type ReleaseAction = (typeof RELEASE_ACTIONS)[number];

const WHAT: Record<ReleaseAction, string> = {
  approve: 'approved at its gate',
  promote: 'promoted (its bakes and gate skipped)',
  abort: 'aborted (rolled back)',
};

const notAtHold = (release: Pick<Release, 'version'>, action: ReleaseAction, why: string, details: Record<string, unknown> = {}): DomainError =>
  new DomainError('conflict', 'release_not_at_gate', `Release v${release.version} cannot be ${WHAT[action]}: ${why}`, {
    version: release.version,
    action,
    ...details,
  });

/**
 * Why `action` is refused on `release` (409), or null when it may be taken: only a release whose blue/green,
 * linear or canary deployment is under way has bakes and a gate; approval needs a gate that asks for it;
 * promotion needs a bake or gate to skip. Taking an action again is no error (it stands as first taken).
 */
export const actionRefusal = (release: Pick<Release, 'version' | 'status' | 'rollout'>, action: ReleaseAction): DomainError | null => {
  const settings = settingsOf(release.rollout);
  if (!shiftsTraffic(settings)) {
    return notAtHold(release, action, 'it rolls out with the rolling strategy, which has no gate or bake; roll back to an earlier release instead.', {
      strategy: settings.strategy,
    });
  }
  if (release.status !== 'pending') return notAtHold(release, action, `it is ${release.status}, not rolling out.`, { status: release.status });
  if (!release.rollout?.deployment_id) return notAtHold(release, action, 'its deployment has not reached ECS yet; try again in a moment.');
  const gate = 'gate' in settings ? settings.gate : undefined;
  if (action === 'approve' && !gate?.approval) return notAtHold(release, action, "its app's gate asks for no approval.");
  if (action === 'promote' && !strategyFor(settings).deployment.holds?.length) {
    return notAtHold(release, action, 'its strategy has no bake or gate to skip.');
  }
  return null;
};

/** The rollout field that records who took `action`, and when. */
export const ACTION_FIELD = { approve: 'approved_by', promote: 'promoted_by', abort: 'aborted_by' } as const satisfies Record<ReleaseAction, string>;
