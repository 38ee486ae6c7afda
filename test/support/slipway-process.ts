import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runningEndpoint } from '../../local/endpoint-file';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX_CLI = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const START_TIMEOUT_MS = 45_000;

/** `npm start` as a child process in its own process group, so a test can kill -9 all of it at once. */
export type SlipwayProcess = {
  url: string;
  /** The ECS simulator's endpoint it prints (its port is new at each start; its state is in the data dir). */
  ecsEndpoint: string | null;
  /** Printed by the first start on a fresh data dir only (`fresh`). */
  adminKey: string | null;
  /** SIGKILL to the whole process group (tsx and the server it runs), then waits until the server is gone. */
  kill9: () => Promise<void>;
};

const waitFor = async (condition: () => boolean, child: ChildProcess, what: string, output: () => string): Promise<void> => {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!condition()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Slipway exited before ${what}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`Slipway did not reach ${what} in time:\n${output()}`);
    await sleep(25);
  }
};

/**
 * `entry`: another script that starts Slipway and prints what `npm start` prints (a test's Slipway with
 * faults injected into its store); `npm start`'s own by default.
 */
export const startSlipwayProcess = async (
  dataDir: string,
  options: { fresh: boolean; entry?: string; env?: Record<string, string> },
): Promise<SlipwayProcess> => {
  const child = spawn(process.execPath, [TSX_CLI, options.entry ?? 'local/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', SLIPWAY_DATA_DIR: dataDir, SLIPWAY_LOG_LEVEL: 'ERROR', ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const listening = () => /Slipway is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  await waitFor(() => listening() !== undefined, child, 'listening', () => output);
  // The first start prints its admin key just after it says where it listens.
  if (options.fresh) await waitFor(() => /slw_\S+/.test(output), child, 'printing its admin key', () => output);
  return {
    url: listening() as string,
    ecsEndpoint: /ECS simulator on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? null,
    adminKey: /slw_\S+/.exec(output)?.[0] ?? null,
    kill9: async () => {
      const exited = once(child, 'exit');
      process.kill(-(child.pid as number), 'SIGKILL');
      await exited;
      // The server's own process is a grandchild: wait until it, too, is gone and its data dir is free.
      while (await runningEndpoint(dataDir)) await sleep(25);
    },
  };
};

export type ProcessAnswer = { status: number; location: string | null; body: any };

/** One HTTP call to a Slipway process, with a key and an optional Idempotency-Key; redirects are answers. */
export const callSlipway = async (
  server: Pick<SlipwayProcess, 'url'>,
  apiKey: string,
  method: string,
  path: string,
  options: { body?: unknown; key?: string } = {},
): Promise<ProcessAnswer> => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, location: response.headers.get('location'), body: text ? JSON.parse(text) : undefined };
};
