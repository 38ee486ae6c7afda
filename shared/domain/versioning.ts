/**
 * Release versions are 1, 2, 3 … per app with no gaps. The store claims a version by a conditional put on
 * the item keyed by that version, so uniqueness comes from DynamoDB; these rules say which version to try
 * and how versions sort as strings.
 */
const VERSION_DIGITS = 10;

export const nextReleaseVersion = (latestVersion: number | null): number => (latestVersion ?? 0) + 1;

/** Zero-padded so that DynamoDB's lexicographic sort key order is numeric order. */
export const versionSortKey = (version: number): string => {
  if (!Number.isSafeInteger(version) || version < 0 || String(version).length > VERSION_DIGITS) {
    throw new RangeError(`release version out of range: ${version}`);
  }
  return String(version).padStart(VERSION_DIGITS, '0');
};

/** `/releases/{id|version}`: a plain positive integer names a version, anything else an id. */
export const parseReleaseReference = (reference: string): { version: number } | { id: string } =>
  /^[1-9][0-9]{0,9}$/.test(reference) ? { version: Number(reference) } : { id: reference };
