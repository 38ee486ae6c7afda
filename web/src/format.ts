import type { ReleaseResponse } from './api';
import { LOCALE } from './locale';

const IN_FLIGHT: ReadonlySet<ReleaseResponse['status']> = new Set(['queued', 'pending']);

/** A release Slipway is rolling out (or will): a recorded one (an external app's) only waits for its client's report. */
export const inFlight = (release: Pick<ReleaseResponse, 'status'> & Partial<Pick<ReleaseResponse, 'recorded'>>): boolean =>
  release.recorded !== true && IN_FLIGHT.has(release.status);

/** A date and time as the reader's locale writes them. */
export const when = (timestamp: string): string => new Date(timestamp).toLocaleString(LOCALE);

/** `1m 05s`: how long a rollout has run, or ran. */
export const elapsed = (from: string, to: string | null, now = Date.now()): string => {
  const seconds = Math.max(0, Math.round(((to ? Date.parse(to) : now) - Date.parse(from)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
};

/** Only web links: a check's URL is the poster's text, and must never become `javascript:`. */
export const safeHref = (url: string | null): string | undefined => {
  if (!url) return undefined;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
};
