import { resolve } from 'node:path';
import { DataDirUnusable } from './data-dir';
import { startLocalSlipway } from './slipway';

/** `npm start`: Slipway on 127.0.0.1:$PORT with its state under $SLIPWAY_DATA_DIR. */
const port = Number(process.env.PORT ?? 5000);
const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');

const refuseToStart = (reason: string): never => {
  console.error(`Slipway did not start: ${reason}`);
  process.exit(1);
};

/** The refusals a user can act on get one plain sentence; anything else is a bug and keeps its stack. */
const plainReasonOf = (error: unknown): string | undefined => {
  if (error instanceof DataDirUnusable) return error.message;
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return `port ${port} is in use. Set PORT to a free port, e.g. PORT=5001 npm start.`;
  return undefined;
};

const slipway = await startLocalSlipway({ port, dataDir }).catch((error: unknown) => {
  const reason = plainReasonOf(error);
  return reason === undefined ? Promise.reject(error) : refuseToStart(reason);
});
console.log(`Slipway is listening on ${slipway.url} (data in ${dataDir})`);
if (slipway.rollouts) {
  const { endpoint, minuteMs } = slipway.rollouts.ecs;
  console.log(`ECS simulator on ${endpoint} (a simulated minute lasts ${minuteMs} ms: ECS_SIMULATOR_MINUTE_MS)`);
}
if (slipway.bootstrapAdminKey) {
  console.log(`First start: an admin API key was created. It is shown only this once:\n\n  ${slipway.bootstrapAdminKey}\n`);
  console.log('Use it as "Authorization: Bearer <key>"; mint more with `npm run keys -- create --role developer`.');
}

const shutdown = async () => {
  await slipway.close();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
