import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DataDirUnusable } from '../data-dir';
import type { EcsModel } from './model';

/**
 * The ECS SIMULATOR's state on disk, so that ECS outlives a crash of the Slipway process it runs in, as it does
 * in AWS: services with their deployments (lifecycle stage, traffic shift, PAUSE hooks and their expiry), tasks,
 * task definitions, alarms. The model is written whole, generically (every field it holds, Maps, Sets and Dates
 * included, timers left out: the engine sets them again from the model), so a field added to it is carried too.
 *
 * Written synchronously, and atomically (a temp file renamed over the last snapshot), before the simulator answers
 * any request that may change it, before it delivers an event and after every batch of a deployment: a change
 * nobody was told of may be lost with a crash, as if ECS had not got the request, but nothing an answer or an ECS
 * event reported is ever forgotten, which ECS could not forget either. One-off tasks keep a file of their own.
 */

/** The snapshot's file, in the data dir. */
export const ECS_SIMULATOR_STATE_FILE = 'ecs-simulator.json';

const FORMAT = 1;

type Tagged = { $date: string } | { $map: [unknown, unknown][] } | { $set: unknown[] };

/** Node's timers: a field holding one is the engine's, not state. */
const isTimer = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { hasRef?: unknown }).hasRef === 'function';

const encode = (model: EcsModel): string =>
  JSON.stringify({ format: FORMAT, model }, function (this: Record<string, unknown>, key, value: unknown) {
    // The raw value: JSON.stringify has turned a Date into a string by the time it is `value`.
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() } satisfies Tagged;
    if (raw instanceof Map) return { $map: [...raw.entries()] } satisfies Tagged;
    if (raw instanceof Set) return { $set: [...raw.values()] } satisfies Tagged;
    return isTimer(raw) ? undefined : value;
  });

const revive = (_key: string, value: unknown): unknown => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const tagged = value as Partial<Record<'$date' | '$map' | '$set', unknown>>;
  if (typeof tagged.$date === 'string') return new Date(tagged.$date);
  if (Array.isArray(tagged.$map)) return new Map(tagged.$map as [unknown, unknown][]);
  if (Array.isArray(tagged.$set)) return new Set(tagged.$set);
  return value;
};

export type ModelSnapshots = {
  /** Fills a fresh model from the last snapshot; false when there is none (a first start). */
  load: (model: EcsModel) => boolean;
  /** Writes the model, unless it is as last written. */
  save: (model: EcsModel) => void;
};

export const modelSnapshots = (path: string): ModelSnapshots => {
  const temporary = `${path}.tmp`;
  let written: string | undefined;
  return {
    load: (model) => {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      let stored: { format?: unknown; model?: unknown };
      try {
        stored = JSON.parse(text, revive) as typeof stored;
      } catch {
        stored = {};
      }
      if (stored.format !== FORMAT || typeof stored.model !== 'object' || stored.model === null) {
        throw new DataDirUnusable(
          `The ECS simulator's state in ${path} is damaged; move it aside (the simulated services then start afresh), or set SLIPWAY_DATA_DIR to another directory.`,
        );
      }
      Object.assign(model, stored.model);
      written = text;
      return true;
    },
    save: (model) => {
      const text = encode(model);
      if (text === written) return;
      writeFileSync(temporary, text);
      renameSync(temporary, path);
      written = text;
    },
  };
};
