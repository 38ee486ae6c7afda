import type { Release } from '../domain/model';
import type { BadgeFigures } from '../domain/delivery-metrics';

/** Every text in the SVG goes through this: version labels and app names are user text. */
const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] as string);

const COLORS = { ok: '#4c1', moving: '#007ec6', failed: '#e05d44', none: '#9f9f9f', label: '#555' } as const;
/** Shields' badges use 11px Verdana; about 6.5 px a character is close enough for short texts. */
const widthOf = (text: string) => Math.round([...text].length * 6.5) + 10;
const MAX_LABEL = 40;

const labelOf = (release: Release) => {
  const label = release.build_labels?.version ?? `v${release.version}`;
  return [...label].length > MAX_LABEL ? `${[...label].slice(0, MAX_LABEL - 1).join('')}…` : label;
};

/** The message and colour: the current version, and what became of a newer release that is not current. */
const badgeMessageOf = ({ current, newest }: BadgeFigures): { message: string; color: string } => {
  const behind = newest && newest.version !== current?.version ? newest : undefined;
  const base = current ? labelOf(current) : 'no release';
  if (!behind) return { message: base, color: current ? COLORS.ok : COLORS.none };
  const moving = behind.status === 'queued' || behind.status === 'pending';
  return { message: `${base} (v${behind.version} ${behind.status})`, color: moving ? COLORS.moving : COLORS.failed };
};

/** A shields-style flat badge: `{app} | {message}`. */
export const renderBadge = (appName: string, figures: BadgeFigures): string => {
  const { message, color } = badgeMessageOf(figures);
  const left = widthOf(appName);
  const right = widthOf(message);
  const total = left + right;
  const text = (x: number, value: string) =>
    `<text x="${x}" y="15" fill="#010101" fill-opacity=".3">${escapeXml(value)}</text><text x="${x}" y="14">${escapeXml(value)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${escapeXml(`${appName}: ${message}`)}">`,
    `<title>${escapeXml(`${appName}: ${message}`)}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="${COLORS.label}"/><rect x="${left}" width="${right}" height="20" fill="${color}"/><rect width="${total}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    text(left / 2, appName),
    text(left + right / 2, message),
    '</g></svg>',
  ].join('');
};
