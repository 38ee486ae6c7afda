import { createStore, getStore, useStore } from '../../shared/store/client';
import { startDynamoFaultProxy, type FaultProxy } from './dynamo-fault-proxy';
import { startTestSlipway, type TestSlipway } from './local-slipway';
import { config, configure } from '../../shared/config/config';

export type FaultySlipway = TestSlipway & { faults: FaultProxy };

/**
 * A test Slipway whose every DynamoDB call, from handlers and authorizer alike, crosses the fault proxy.
 * The client keeps the production retry settings, so what the tests see is what a deployed Lambda does.
 */
export const startFaultySlipway = async (options: Parameters<typeof startTestSlipway>[0] = {}): Promise<FaultySlipway> => {
  const slipway = await startTestSlipway(options);
  const direct = config().dynamodbEndpoint;
  if (!direct) throw new Error('the local Slipway must publish its DynamoDB endpoint');
  const faults = await startDynamoFaultProxy(direct);
  configure({ dynamodbEndpoint: faults.endpoint });
  useStore(createStore({ tableName: getStore().tableName, endpoint: faults.endpoint }));
  return {
    ...slipway,
    faults,
    close: async () => {
      await slipway.close();
      await faults.close();
    },
  };
};
