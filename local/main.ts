import { resolve } from 'node:path';
import { runningEndpoint } from './endpoint-file';
import { startLocalSlipway } from './slipway';

/** `npm start`: Slipway on 127.0.0.1:$PORT with its state under $SLIPWAY_DATA_DIR. */
const port = Number(process.env.PORT ?? 5000);
const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');

const refuseToStart = (reason: string): never => {
  console.error(`Slipway did not start: ${reason}`);
  process.exit(1);
};

// The data dir's LevelDB can have one owner; a second server would fail later with an obscure error.
if (await runningEndpoint(dataDir)) {
  refuseToStart(`another Slipway is already running on ${dataDir}. Stop it, or set SLIPWAY_DATA_DIR to another directory.`);
}

const slipway = await startLocalSlipway({ port, dataDir }).catch((error: unknown) =>
  (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    ? refuseToStart(`port ${port} is in use. Set PORT to a free port, e.g. PORT=5001 npm start.`)
    : Promise.reject(error),
);
console.log(`Slipway is listening on ${slipway.url} (data in ${dataDir})`);
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
