import { listApps } from '../store/apps-store';
import { indexUnindexedReleases } from '../store/release-index-store';

/** Once after upgrading a table that holds releases from before index rows: makes every filter find them. */
export const indexReleasesOfEveryApp = async (report: (app: string, indexed: number) => void): Promise<number> => {
  let total = 0;
  for (const app of await listApps()) {
    const indexed = await indexUnindexedReleases(app.id);
    report(app.name, indexed);
    total += indexed;
  }
  return total;
};
