import { startLocalSlipway } from '../local/slipway';
import { config } from '../shared/config/config';
import { startFloorServer } from './floor-server';

/**
 * The local Slipway as `npm start` runs it, but in memory and in its own process, so the load generator
 * in the parent does not share its event loop; beside it, in the same process and on the same dynalite,
 * the floor server. Reports their addresses over IPC once ready.
 * Rollouts are off: in AWS they run in their own Lambdas, so thousands of them queued by the create
 * benchmark would only load this one process in a way the deployed API never sees.
 */
const slipway = await startLocalSlipway({ port: 0, rollouts: false });
const { dynamodbEndpoint, tableName } = config();
if (!process.send || !dynamodbEndpoint || !tableName) throw new Error('bench/server.ts is started by bench/run.ts with an IPC channel');
const floor = await startFloorServer({ endpoint: dynamodbEndpoint, tableName });
process.send({ url: slipway.url, floorUrl: floor.url, adminKey: slipway.bootstrapAdminKey, dynamoEndpoint: dynamodbEndpoint });
process.once('disconnect', () => {
  floor.server.closeAllConnections();
  floor.server.close();
  void slipway.close().then(() => process.exit(0));
});
