import type { ReleaseResponse } from '../shared/api/release-responses';
import type { SlipwayApi } from './api';

/**
 * Follows a release's release phase output while a wait polls the release, as `git push heroku` shows the release
 * command's: each call returns the lines printed since the last, until the output is complete. Output that cannot be
 * read (a container that logs nowhere Slipway reads) is not followed; the wait goes on without it.
 */
export const releasePhaseFollower = (api: SlipwayApi, app: string) => {
  let shown = 0;
  let done = false;
  return async (release: ReleaseResponse): Promise<string[]> => {
    if (done || !release.release_phase?.output_url) return [];
    try {
      const output = await api.releasePhaseOutput(app, release.id);
      const fresh = output.lines.slice(shown).map((line) => line.text);
      shown = output.lines.length;
      done = output.complete;
      return fresh;
    } catch {
      done = true;
      return [];
    }
  };
};
