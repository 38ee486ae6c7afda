import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Stack traces of a bundled function name its TypeScript sources, read from the bundle's source map at the first
 * stack formatted. Node's `--enable-source-maps` would parse the whole map when the bundle loads, on every cold start
 * (~13% of the releases function's import); an error is rare, a cold start is not. esbuild injects this module at
 * the top of every bundle (SLIPWAY_BUNDLING's `inject`), so it is in place before anything that could throw loads.
 */

/** Each file's map, read once; null where a file has none (Node's own modules, a file outside the bundle). */
const maps = new Map<string, { map: SourceMap; url: URL } | null>();

const mapOf = (file: string) => {
  let entry = maps.get(file);
  if (entry === undefined) {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    try {
      entry = { map: new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))), url: pathToFileURL(path) };
    } catch {
      entry = null;
    }
    maps.set(file, entry);
  }
  return entry;
};

/**
 * The function's name in the sources, as the map names it where the function begins (what Node's own source map
 * support shows), rather than the minified name the bundle runs under.
 */
const nameOf = (site: NodeJS.CallSite, map: SourceMap): string | null => {
  const line = site.getEnclosingLineNumber();
  const column = site.getEnclosingColumnNumber();
  const declared = line === null || column === null ? undefined : map.findEntry(line - 1, column - 1);
  return declared && 'name' in declared && typeof declared.name === 'string' ? declared.name : site.getFunctionName();
};

/** One frame as V8 writes it, with the bundle's position replaced by the source's, as `--enable-source-maps` does. */
const frameOf = (site: NodeJS.CallSite): string => {
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file || line === null || column === null) return `    at ${site}`;
  const source = mapOf(file);
  const original = source?.map.findEntry(line - 1, column - 1);
  if (!source || !original || !('originalSource' in original)) return `    at ${site}`;
  // Sources are relative to the map; resolved against it, as Node resolves them.
  const sourcePath = fileURLToPath(new URL(original.originalSource, source.url));
  const where = `${sourcePath}:${original.originalLine + 1}:${original.originalColumn + 1}`;
  const name = nameOf(site, source.map);
  return `    at ${site.isAsync() ? 'async ' : ''}${name ? `${name} (${where})` : where}`;
};

Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]): string => {
  let header: string;
  try {
    header = String(error);
  } catch {
    header = 'Error';
  }
  return [header, ...sites.map(frameOf)].join('\n');
};
