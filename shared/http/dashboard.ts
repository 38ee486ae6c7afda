import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../domain/errors';
import { publicHttpFunction } from './http-function';

/** The dashboard's built files by path: `index.html` and `assets/<name>-<hash>.<ext>`. */
export type DashboardFiles = ReadonlyMap<string, string>;

export const DASHBOARD_INDEX = 'index.html';
export const DASHBOARD_ASSETS_DIR = 'assets';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/**
 * The page talks only to its own origin and runs only its own bundle: no inline script or style, no
 * framing, nothing it could be tricked into loading from elsewhere.
 */
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const contentTypeOf = (path: string): string => CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

const serve = (files: DashboardFiles, path: string, cacheControl: string) => {
  const text = files.get(path);
  if (text === undefined) throw notFound('asset', path);
  return { status: 200, text, headers: { 'content-type': contentTypeOf(path), 'cache-control': cacheControl, ...SECURITY_HEADERS } };
};

/**
 * Serves the dashboard from `load`'s files. The page must be revalidated so a deploy shows at once; the
 * assets it names carry their content hash, so browsers may keep them for good.
 */
export const dashboardFunction = (load: () => Promise<DashboardFiles>) => {
  let files: Promise<DashboardFiles> | undefined;
  const loaded = () => (files ??= load());
  return publicHttpFunction<'dashboard'>({
    'GET /': { public: async () => serve(await loaded(), DASHBOARD_INDEX, 'no-cache') },
    'GET /assets/{asset}': {
      public: async ({ params }) => serve(await loaded(), `${DASHBOARD_ASSETS_DIR}/${params.asset}`, 'public, max-age=31536000, immutable'),
    },
  });
};

/** The files as the Lambda bundle carries them, in a folder beside its code. */
export const readDashboardFiles = (dir: string): DashboardFiles =>
  new Map(
    [DASHBOARD_INDEX, ...readdirSync(join(dir, DASHBOARD_ASSETS_DIR)).map((name) => `${DASHBOARD_ASSETS_DIR}/${name}`)].map((path) => [
      path,
      readFileSync(join(dir, path), 'utf8'),
    ]),
  );
