import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Child<T> = { ready: T; stop: () => Promise<void> };

/**
 * Runs a bench TypeScript entry in its own Node process (same Node as the parent, via the tsx loader)
 * and waits for the first IPC message it sends. Its output goes straight to a file, as a Lambda's logs
 * are shipped away rather than read: it pays for writing them, the bench process does not read them.
 */
export const startChild = async <T>(entry: string, env: Record<string, string> = {}): Promise<Child<T>> => {
  const logFile = join(tmpdir(), `slipway-bench-${basename(entry, '.ts')}-${process.pid}.log`);
  const log = openSync(logFile, 'w');
  const child: ChildProcess = fork(fileURLToPath(new URL(entry, import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${entry} exited with ${String(code)} before it was ready:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    }),
  ])) as [T];
  return {
    ready,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.disconnect();
        await exited;
      }
      // About 10 MB of request logs per run: kept only when the child fails to start.
      rmSync(logFile, { force: true });
    },
  };
};
