import { scanAll } from '../../shared/store/client';
import { TOMBSTONE_ATTRIBUTE } from '../../shared/store/table-design';

export type StoredItem = Record<string, unknown> & { pk: string; sk: string; type?: string };

/** Every item in the Slipway table, read straight from DynamoDB so no API code can hide a bad write. */
export const scanTable = async (): Promise<StoredItem[]> => (await scanAll({ ConsistentRead: true })) as StoredItem[];

/**
 * How many live items of each `type` the table holds. Tombstones are left out: an uncoupling's tombstone
 * is already gone for every reader, and the relay deletes it in the background once its event is out,
 * which is no change a request made.
 */
export const countByType = async (): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {};
  for (const item of await scanTable()) {
    if (TOMBSTONE_ATTRIBUTE in item) continue;
    const type = item.type ?? 'untyped';
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
};

export type StoredRelease = { id: string; version: number; app: { id: string; name: string }; status: string };

/** The stored releases of each app by name, ascending by version. */
export const releasesByApp = async (): Promise<Map<string, StoredRelease[]>> => {
  const byApp = new Map<string, StoredRelease[]>();
  for (const item of await scanTable()) {
    if (item.type !== 'release') continue;
    const release = item as unknown as StoredRelease;
    byApp.set(release.app.name, [...(byApp.get(release.app.name) ?? []), release]);
  }
  for (const releases of byApp.values()) releases.sort((a, b) => a.version - b.version);
  return byApp;
};

/**
 * Problems with an app's stored releases: versions must run 1..n with no gap or repeat, and no release
 * id may sit in two version slots (the mark of a write retried after its first attempt had landed).
 */
export const releaseIntegrityProblems = (releases: readonly StoredRelease[]): string[] => {
  const problems: string[] = [];
  releases.forEach((release, index) => {
    if (release.version !== index + 1) problems.push(`expected v${index + 1}, found v${release.version}`);
  });
  const ids = new Map<string, number[]>();
  for (const release of releases) ids.set(release.id, [...(ids.get(release.id) ?? []), release.version]);
  for (const [id, versions] of ids) {
    if (versions.length > 1) problems.push(`release ${id} is stored as v${versions.join(' and v')}`);
  }
  return problems;
};
