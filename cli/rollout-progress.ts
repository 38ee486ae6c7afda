import { stripVTControlCharacters } from 'node:util';
import type { ReleaseResponse } from '../shared/api/release-responses';
import { isTrafficShifting, rolloutStage } from '../shared/api/rollout-words';
import { clockTime, paint, paintStatus } from './output';
import { versionLabel } from './release-ref';

/** How a wait shows a release as it rolls out: redrawn in place on a terminal, a line per change elsewhere. */
export type ProgressView = {
  update: (release: ReleaseResponse) => void;
  /** Lines the release phase printed, shown above the progress as they come. */
  output: (lines: readonly string[]) => void;
  end: (release: ReleaseResponse | null) => void;
};

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 20;
const REDRAW_MS = 100;
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const CLEAR_LINE = '\r\u001b[2K';

/** Marks the release phase's own lines among the rollout's. */
const RELEASE_PHASE_PREFIX = 'release phase | ';

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)}s`;
const labelOf = (release: ReleaseResponse) => `${release.app.name} ${versionLabel(release)}`;

const taskCounts = (release: ReleaseResponse) => {
  const rollout = release.rollout;
  return rollout ? `${rollout.running_new}/${rollout.desired} new, ${rollout.failed_tasks} failed` : '';
};

/** Where the rollout stands: its phase, traffic share and gate where it shifts traffic, else its tasks. */
const progressOf = (release: ReleaseResponse) => rolloutStage(release.rollout, clockTime) ?? taskCounts(release);

const outcome = (release: ReleaseResponse | null, elapsedMs: number) => {
  if (!release) return `stopped waiting after ${seconds(elapsedMs)}`;
  const message = release.rollout?.message;
  return `${release.status} after ${seconds(elapsedMs)}${release.status !== 'succeeded' && message ? `: ${message}` : ''}`;
};

/**
 * The new revision's share of production traffic green, the old one's grey, where the strategy shifts traffic;
 * otherwise new tasks green, failed ones red, the rest still to replace grey.
 */
const bar = (release: ReleaseResponse, stream: NodeJS.WriteStream) => {
  const rollout = release.rollout;
  const segment = (style: Parameters<typeof paint>[0], glyph: string, count: number) =>
    count > 0 ? paint(style, glyph.repeat(count), stream) : '';
  if (isTrafficShifting(rollout)) {
    const shifted = Math.round(((rollout.traffic_percent ?? 0) / 100) * BAR_WIDTH);
    return segment('green', '█', shifted) + segment('gray', '░', BAR_WIDTH - shifted);
  }
  const cells = (count: number) => (rollout && rollout.desired > 0 ? Math.round((count / rollout.desired) * BAR_WIDTH) : 0);
  const done = Math.min(BAR_WIDTH, cells(rollout?.running_new ?? 0));
  const failed = Math.min(BAR_WIDTH - done, cells(rollout?.failed_tasks ?? 0));
  return segment('green', '█', done) + segment('red', '█', failed) + segment('gray', '░', BAR_WIDTH - done - failed);
};

/** Cuts the line to the terminal's width so a redraw never wraps (a wrapped line cannot be cleared with \r). */
const fitted = (line: string, columns: number | undefined) => {
  if (!columns || stripVTControlCharacters(line).length < columns) return line;
  return `${stripVTControlCharacters(line).slice(0, columns - 2)}…`;
};

const liveView = (stream: NodeJS.WriteStream): ProgressView => {
  const startedAt = Date.now();
  let latest: ReleaseResponse | null = null;
  let frame = 0;
  const draw = () => {
    if (!latest) return;
    frame = (frame + 1) % SPINNER.length;
    const message = latest.rollout?.message ? `  ${latest.rollout.message}` : '';
    const line = [
      paint('cyan', SPINNER[frame] ?? '', stream),
      labelOf(latest),
      paintStatus(latest.status, stream),
      bar(latest, stream),
      progressOf(latest),
      paint('gray', seconds(Date.now() - startedAt), stream) + message,
    ]
      .filter(Boolean)
      .join(' ');
    stream.write(`${CLEAR_LINE}${fitted(line, stream.columns)}`);
  };
  const restoreCursor = () => stream.write(SHOW_CURSOR);
  process.once('exit', restoreCursor);
  stream.write(HIDE_CURSOR);
  const timer = setInterval(draw, REDRAW_MS);
  return {
    update: (release) => {
      latest = release;
      draw();
    },
    output: (lines) => {
      for (const line of lines) stream.write(`${CLEAR_LINE}${paint('gray', RELEASE_PHASE_PREFIX, stream)}${line}\n`);
      if (lines.length > 0) draw();
    },
    end: (release) => {
      clearInterval(timer);
      const final = release ?? latest;
      const mark = release?.status === 'succeeded' ? paint('green', '✔', stream) : paint('red', '✖', stream);
      stream.write(`${CLEAR_LINE}${mark} ${final ? `${labelOf(final)} ` : ''}${outcome(release, Date.now() - startedAt)}\n`);
      restoreCursor();
      process.removeListener('exit', restoreCursor);
    },
  };
};

/** CI logs: a timestamped line whenever what a person would want to know changes. */
const lineView = (stream: NodeJS.WriteStream): ProgressView => {
  const startedAt = Date.now();
  let last = '';
  const print = (text: string) => stream.write(`${new Date().toISOString()} ${text}\n`);
  return {
    output: (lines) => {
      for (const line of lines) print(`${RELEASE_PHASE_PREFIX}${line}`);
    },
    update: (release) => {
      const progress = progressOf(release);
      const message = release.rollout?.message;
      const text = `${labelOf(release)} ${release.status}${progress ? ` ${progress}` : ''}${message ? `: ${message}` : ''}`;
      if (text !== last) print(text);
      last = text;
    },
    end: (release) => print(`${release ? `${labelOf(release)} ` : ''}${outcome(release, Date.now() - startedAt)}`),
  };
};

export const progressView = (stream: NodeJS.WriteStream): ProgressView => (stream.isTTY ? liveView(stream) : lineView(stream));
