import { v5 as uuidv5 } from 'uuid';
import { DomainError, conflict } from './errors';
import type { ConfigVars } from './config-vars';
import type { Actor, App, CheckState, Release, ReleaseRef, ReleaseTrigger } from './model';
import type { ReleasePlan } from './release-request';

/**
 * Rules of a rollback: which release it may go back to, which releases it overtakes, and when a release
 * is rolled back without a human.
 */

/** How long after going live a failed required check rolls a release back, unless the app says otherwise. */
export const DEFAULT_BAKE_WINDOW_SECONDS = 10 * 60;

export const isRollback = (release: Pick<Release, 'trigger'>): boolean =>
  release.trigger === 'rollback' || release.trigger === 'auto_rollback';

/**
 * A rollback whose execution died mid-deployment is deployed again rather than left `unknown`: it restores a
 * release that worked, so repeating its deployment is safe (ECS replaces the one in flight), and a rescue
 * cut short by a crash must still rescue.
 */
export const redeploysAfterLostExecution = (release: Pick<Release, 'trigger' | 'status'>): boolean =>
  isRollback(release) && release.status === 'pending';

/**
 * A rollback is a new release carrying an earlier release's slug, and it makes that release's config the
 * app's again (see configRestoredBy); history is never rewritten. Going back to a release that never
 * succeeded would restore something nobody saw work, so it takes `force`.
 */
export const planRollback = (
  app: App,
  target: Release,
  options: { force?: boolean | undefined; trigger?: Extract<ReleaseTrigger, 'rollback' | 'auto_rollback'>; reason?: string } = {},
): ReleasePlan => {
  if (target.app.id !== app.id) {
    throw new DomainError('not_found', 'release_not_found', `No release ${target.id} exists on app ${app.name}.`, {
      release: target.id,
      app: app.name,
    });
  }
  if (target.status !== 'succeeded' && options.force !== true) {
    throw conflict(
      'rollback_target_not_succeeded',
      `Release v${target.version} is ${target.status}: it never succeeded, so rolling back to it could restore a broken release. Send "force": true to roll back to it anyway.`,
      { release: target.id, version: target.version, status: target.status },
    );
  }
  return {
    slugId: target.slug.id,
    image: target.image,
    description: `Rollback to v${target.version} (its build and config)${options.reason ? `: ${options.reason}` : ''}`,
    trigger: options.trigger ?? 'rollback',
    restoresConfig: { version: target.config_version ?? null },
  };
};

/**
 * The config a rollback makes the app's, as on Heroku: exactly its target's, so the config vars, the next
 * deploy and the next change start from what runs. Secrets stay the references the target ran with
 * (their values are never read back or stored again); a target from before the app had config vars
 * (`config` null) restores an empty config.
 */
export const configRestoredBy = (config: ConfigVars | null): ConfigVars => ({ ...config });

/** What a release overtaken by a rollback shows: it ends `failed`, and says by which rollback. */
export const supersededChanges = (rollback: ReleaseRef, at: string, wasDeploying: boolean) => ({
  status: 'failed' as const,
  finished_at: at,
  superseded_by: rollback,
  message: wasDeploying
    ? `Superseded by rollback v${rollback.version}: its deployment was replaced before it completed.`
    : `Superseded by rollback v${rollback.version}: it never ran.`,
});

const FAILING: readonly CheckState[] = ['failure', 'error'];

/**
 * Why the app's current release is to be rolled back by itself after a check on it went to `state`, or
 * null. Only a release that went live within the app's bake window, was not itself a rollback (so it never
 * loops), and only a check the app requires (any check, when the app requires none by name).
 */
export const autoRollbackReason = (
  app: Pick<App, 'auto_rollback' | 'bake_window_seconds' | 'current_release_version'>,
  release: Pick<Release, 'version' | 'status' | 'trigger' | 'finished_at'>,
  check: { context: string; state: CheckState },
  requiredContexts: readonly string[] | null,
  now: Date,
): string | null => {
  if (!app.auto_rollback || isRollback(release) || !FAILING.includes(check.state)) return null;
  if (release.status !== 'succeeded' || app.current_release_version !== release.version || release.finished_at === null) return null;
  if (requiredContexts !== null && requiredContexts.length > 0 && !requiredContexts.includes(check.context)) return null;
  const liveFor = now.getTime() - Date.parse(release.finished_at);
  if (liveFor > app.bake_window_seconds * 1000) return null;
  return `check ${check.context} reported ${check.state} on v${release.version} ${Math.round(liveFor / 1000)} s after it went live`;
};

/**
 * Why a release whose rollout just ended is to be rolled back by itself, or null: its deployment outlived
 * the deadline or broke mid-way (`unknown`), so ECS may be running neither it nor its predecessor.
 */
export const autoRollbackAfterRollout = (
  app: Pick<App, 'auto_rollback'>,
  release: Pick<Release, 'version' | 'status' | 'trigger'>,
): string | null =>
  app.auto_rollback && !isRollback(release) && release.status === 'unknown'
    ? `the rollout of v${release.version} ended unknown, with the previous release already being replaced`
    : null;

/** The release to go back to: the newest succeeded one older than `from`. */
export const lastGoodBefore = (releasesNewestFirst: readonly Release[], from: number): Release | undefined =>
  releasesNewestFirst.find((release) => release.version < from && release.status === 'succeeded');

/**
 * The id of the one automatic rollback of a release, however often (or concurrently) its failure is
 * reported: recording a release under an id that exists already returns that release.
 */
export const autoRollbackIdOf = (releaseId: string): string => uuidv5('auto-rollback', releaseId);

/** Who an automatic rollback's release names as its author. */
export const AUTO_ROLLBACK_ACTOR: Actor = { id: 'slipway:auto-rollback', email: '' };
