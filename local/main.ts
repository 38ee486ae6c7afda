import { resolve } from 'node:path';
import { startLocalSlipway } from './slipway';

/** `npm start`: Slipway on 127.0.0.1:$PORT with its state under $SLIPWAY_DATA_DIR. */
const port = Number(process.env.PORT ?? 5000);
const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');

const slipway = await startLocalSlipway({ port, dataDir });
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
