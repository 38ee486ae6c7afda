import { validate as isUuid } from 'uuid';
import type { ReleaseResponse } from '../shared/api/release-responses';
import type { SlipwayApi } from './api';
import { usageError } from './exit-codes';

/** `v7`, `7` or a release id, as the API's `/releases/{id|version}` takes it. */
export const parseReleaseRef = (text: string): string => {
  const version = /^v?([1-9][0-9]*)$/.exec(text)?.[1];
  if (version) return version;
  if (isUuid(text)) return text;
  throw usageError(`"${text}" is not a release: give a version (v7) or a release id`);
};

export const versionLabel = (release: Pick<ReleaseResponse, 'version'>) => `v${release.version}`;

/** The current release is the newest succeeded one. */
export const currentRelease = async (api: SlipwayApi, app: string): Promise<ReleaseResponse> => {
  const [current] = await api.newestReleases(app, 1, 'succeeded');
  if (!current) throw usageError(`${app} has no current release yet: nothing has rolled out successfully`);
  return current;
};

/** `ref` when given; else the release that succeeded before the current one (never a failed one). */
export const rollbackTarget = async (api: SlipwayApi, app: string, ref: string | undefined): Promise<ReleaseResponse> => {
  if (ref !== undefined) return api.release(app, parseReleaseRef(ref));
  const [current, previous] = await api.newestReleases(app, 2, 'succeeded');
  if (!current || !previous) {
    throw usageError(`${app} has no succeeded release before the current one to roll back to`);
  }
  return previous;
};
