import { startLocalSlipway } from '../local/slipway';
import { config } from '../shared/config/config';

/**
 * The local Slipway as `npm start` runs it, but in memory and in its own process, so the load generator
 * in the parent does not share its event loop. Reports its address over IPC once it is ready.
 * Rollouts are off: in AWS they run in their own Lambdas, so thousands of them queued by the create
 * benchmark would only load this one process in a way the deployed API never sees.
 */
const slipway = await startLocalSlipway({ port: 0, rollouts: false });
if (!process.send) throw new Error('bench/server.ts is started by bench/run.ts with an IPC channel');
process.send({ url: slipway.url, adminKey: slipway.bootstrapAdminKey, dynamoEndpoint: config().dynamodbEndpoint });
process.once('disconnect', () => void slipway.close().then(() => process.exit(0)));
