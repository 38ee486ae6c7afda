import type { App, Release } from './model';

/**
 * `current` is the newest succeeded release, at every read. The app's pointer can trail a rollout that
 * succeeded after the app was read (the release's status and the pointer are two items), so releases read
 * after the app, which are newer news, move it forward: nothing a read shows is succeeded and newer
 * than the release it calls current.
 */
export const currentVersionAmong = (
  pointer: number | null,
  releasesReadAfterIt: readonly Pick<Release, 'version' | 'status'>[],
): number | null =>
  releasesReadAfterIt.reduce<number | null>(
    (current, release) => (release.status === 'succeeded' && release.version > (current ?? 0) ? release.version : current),
    pointer,
  );

/** The app as the releases read after it show it: its pointer moved to the newest succeeded among them. */
export const withCurrentAmong = (app: App, releasesReadAfterIt: readonly Pick<Release, 'version' | 'status'>[]): App => ({
  ...app,
  current_release_version: currentVersionAmong(app.current_release_version, releasesReadAfterIt),
});
