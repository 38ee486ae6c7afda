import type { Principal } from '../domain/access';
import type { App } from '../domain/model';
import { authenticate } from './api-keys';
import { requireApp } from './apps';

/** Who is calling, and the app the request's path names as that caller may see it (404 otherwise). */
export type Caller = { principal: Principal; pathApp: () => Promise<App> };

/**
 * The caller a presented key names, undefined for anything that is not a live key. `appName`, the app the
 * path names when it names it by name, is read in the same DynamoDB call as the key; an app named by id is
 * resolved when the route asks for it.
 */
export const authenticateCaller = async (
  presented: string | undefined,
  path: { app: string | undefined; appName: string | undefined },
): Promise<Caller | undefined> => {
  const { principal, appRead } = await authenticate(presented, path.appName);
  if (!principal) return undefined;
  return { principal, pathApp: () => requireApp(path.app ?? '', principal, appRead) };
};
