import type { ReleaseStatus } from './model';

/** What a release says about how it ended, as the API shows it and as Slipway stores it. */
type Ended = {
  status: ReleaseStatus;
  rollout: { message?: string | null | undefined } | null;
  superseded_by?: { version: number } | null | undefined;
};

/**
 * Why a release ended failed or unknown, in a sentence for people: its rollout's last word (the circuit
 * breaker's, a deadline's, a supersession's), else the rollback that overtook it; null for any other status.
 */
export const whyReleaseEnded = (release: Ended): string | null => {
  if (release.status !== 'failed' && release.status !== 'unknown') return null;
  if (release.rollout?.message) return release.rollout.message;
  if (release.superseded_by) return `Superseded by rollback v${release.superseded_by.version}.`;
  return 'Slipway recorded no reason.';
};
