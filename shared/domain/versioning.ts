/**
 * Release versions are 1, 2, 3 … per app with no gaps (the store's version sequence hands them out, see
 * release-claims-store.ts); these rules say how versions sort as strings and how a reference names one.
 */
const VERSION_DIGITS = 10;

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

/** Whether a page of releases in version order (either way) skips a version: a hole no release may leave. */
export const skipsAVersion = (versions: readonly number[]): boolean =>
  versions.some((version, index) => index > 0 && Math.abs(version - (versions[index - 1] as number)) !== 1);
