/**
 * `npm start`'s Slipway with every write into a release's version slot held back before it reaches the
 * store, so that a kill -9 lands between a version's claim and its slot: run as a child process by the
 * proofs that kill it. Prints what `npm start` prints.
 */
import { resolve } from 'node:path';
import { configure, config } from '../../shared/config/config';
import { createStore, getStore, useStore } from '../../shared/store/client';
import { startLocalSlipway } from '../../local/slipway';
import { startDynamoFaultProxy, touchesKey } from './dynamo-fault-proxy';

const SLOT_WRITE_DELAY_MS = 400;

const slipway = await startLocalSlipway({ port: 0, dataDir: resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway') });
const direct = config().dynamodbEndpoint;
if (!direct) throw new Error('the local Slipway must publish its DynamoDB endpoint');
const faults = await startDynamoFaultProxy(direct);
configure({ dynamodbEndpoint: faults.endpoint });
useStore(createStore({ tableName: getStore().tableName, endpoint: faults.endpoint }));
faults.inject({ fault: { kind: 'delay', ms: SLOT_WRITE_DELAY_MS }, when: (call) => call.operation === 'PutItem' && touchesKey('REL#')(call) });
console.log(`Slipway is listening on ${slipway.url}`);
if (slipway.bootstrapAdminKey) console.log(`admin key: ${slipway.bootstrapAdminKey}`);
