import type { Caller, Principal } from '../domain/access';
import type { PathReferences } from '../domain/requests';
import { appNamed } from '../store/apps-store';
import { authenticate } from './api-keys';
import { requireApp, type AppRead } from './apps';

/** The caller, with the path's app resolved from `read` (the app read with the key) when there is one. */
export const callerOf = (principal: Principal, path: PathReferences, read?: AppRead): Caller => ({
  principal,
  pathApp: () => requireApp(path.app ?? '', principal, read),
});

/**
 * The caller a presented key names, undefined for anything that is not a live key. The app the path
 * names by name is read in the same DynamoDB call as the key; an app named by id is resolved when the
 * route asks for it.
 */
export const authenticateCaller = async (presented: string | undefined, path: PathReferences): Promise<Caller | undefined> => {
  const { appName } = path;
  if (appName === undefined) {
    const { principal } = await authenticate(presented);
    return principal && callerOf(principal, path);
  }
  const { principal, named } = await authenticate(presented, appNamed(appName));
  return principal && callerOf(principal, path, named && { name: appName, app: named.found });
};
