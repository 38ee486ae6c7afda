import { DomainError } from './errors';

/**
 * Heroku's list ranges on release versions: `Range: version [start]..[end][; order=asc|desc][, max=N]`.
 * Bounds are inclusive; `]start` excludes the start, as the `Next-Range` of an ascending page does.
 */
export type VersionRange = {
  afterVersion: number;
  beforeVersion: number | undefined;
  order: 'asc' | 'desc';
  max: number;
};

const RANGE_PATTERN = /^version\s+(\]?)(\d{1,10})?\s*\.\.\s*(\d{1,10})?\s*(?:;\s*(.*))?$/;

const invalidRange = (range: string, why: string): DomainError =>
  new DomainError('bad_request', 'invalid_range', `The Range header ${why}; use e.g. "version ..; order=desc, max=10".`, { range });

export const parseVersionRange = (range: string, limits: { defaultMax: number; maxMax: number }): VersionRange => {
  const match = RANGE_PATTERN.exec(range.trim());
  if (!match) throw invalidRange(range, 'is not a version range');
  const [, exclusive, start, end, options = ''] = match;
  const settings = new Map<string, string>();
  for (const option of options.split(/[,;]/).map((part) => part.trim()).filter((part) => part !== '')) {
    const [name = '', value = '', ...rest] = option.split('=').map((part) => part.trim());
    if (rest.length > 0 || !['order', 'max'].includes(name) || settings.has(name)) throw invalidRange(range, `has an unknown or repeated option "${option}"`);
    settings.set(name, value);
  }
  const order = settings.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw invalidRange(range, 'has an order other than asc or desc');
  const maxText = settings.get('max');
  const max = maxText === undefined ? limits.defaultMax : Number(maxText);
  if (!/^\d+$/.test(maxText ?? '1') || max < 1 || max > limits.maxMax) throw invalidRange(range, `has a max outside 1..${limits.maxMax}`);
  const startVersion = start === undefined ? 0 : Number(start);
  return {
    afterVersion: start === undefined ? 0 : exclusive ? startVersion : Math.max(0, startVersion - 1),
    beforeVersion: end === undefined ? undefined : Number(end) + 1,
    order,
    max,
  };
};

/** The range of the page after one that ended at `lastVersion`, for the `Next-Range` header. */
export const nextVersionRange = (range: VersionRange, lastVersion: number): string => {
  const options = `; order=${range.order}, max=${range.max}`;
  if (range.order === 'asc') {
    return `version ]${lastVersion}..${range.beforeVersion === undefined ? '' : range.beforeVersion - 1}${options}`;
  }
  return `version ${range.afterVersion === 0 ? '' : `]${range.afterVersion}`}..${lastVersion - 1}${options}`;
};
