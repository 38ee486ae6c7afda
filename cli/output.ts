import { stripVTControlCharacters, styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colour only where it is read by a person: styleText drops it for pipes, NO_COLOR and TERM=dumb. */
export const paint = (style: Style, text: string, stream: NodeJS.WriteStream = process.stdout) =>
  styleText(style, text, { stream });

export const printJson = (document: unknown) => {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
};

export const printLine = (line = '') => {
  process.stdout.write(`${line}\n`);
};

export const printError = (line: string) => {
  process.stderr.write(`${paint('red', 'Error:', process.stderr)} ${line}\n`);
};

/** The columns text takes on a terminal: its colour codes take none. */
const visibleWidth = (text: string) => stripVTControlCharacters(text).length;

/** Left-aligned columns under a bold header, as `heroku releases` prints them. */
export const printTable = (headers: string[], rows: string[][], emptyMessage: string) => {
  if (rows.length === 0) return printLine(emptyMessage);
  const widths = headers.map((header, column) => Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))));
  const pad = (cell: string, column: number) => cell + ' '.repeat(Math.max(0, (widths[column] ?? 0) - visibleWidth(cell)));
  const format = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  printLine(paint('bold', format(headers)));
  for (const row of rows) printLine(format(row));
};

/** `label: value` lines with the labels aligned. */
export const printFields = (fields: [string, string][]) => {
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) printLine(`${paint('bold', `${label}:`.padEnd(width + 1))} ${value}`);
};

const STATUS_STYLES: Record<string, Style> = {
  succeeded: 'green',
  success: 'green',
  failed: 'red',
  failure: 'red',
  error: 'red',
  unknown: 'yellow',
  pending: 'cyan',
  queued: 'gray',
  running: 'cyan',
  timed_out: 'red',
  skipped: 'gray',
};

export const paintStatus = (status: string, stream: NodeJS.WriteStream = process.stdout) =>
  paint(STATUS_STYLES[status] ?? 'reset', status, stream);

/** `12:40:05` in the reader's time zone, the date first when it is not today (a gate may wait a day). */
export const clockTime = (timestamp: string, now = new Date()) => {
  const at = new Date(timestamp);
  const time = at.toLocaleTimeString('en-GB', { hour12: false });
  return at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString('sv-SE')} ${time}`;
};

/** "3 minutes ago"-style ages read better in a table than ISO timestamps. */
export const age = (timestamp: string, now = Date.now()) => {
  const seconds = Math.max(0, Math.round((now - Date.parse(timestamp)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
};
