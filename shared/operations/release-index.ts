import { listApps } from '../store/apps-store';
import { indexUnindexedDeliveries, listHooks } from '../store/hooks-store';
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

/** Once after upgrading a table that holds hook deliveries from before their log was paged by time: lists them. */
export const indexDeliveriesOfEveryHook = async (report: (app: string, indexed: number) => void): Promise<number> => {
  let total = 0;
  for (const app of await listApps()) {
    let indexed = 0;
    for (const { hook } of await listHooks(app.id)) indexed += await indexUnindexedDeliveries(hook.id);
    report(app.name, indexed);
    total += indexed;
  }
  return total;
};
