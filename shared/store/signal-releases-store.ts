import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SignalRelease } from '../domain/signal-releases';
import { entityOf, getStore, putIfAbsent } from './client';
import { signalReleaseKey } from './keys';

/** Written once, before the releases it names: an attempt that finds it written goes on with the same one. */
export const insertSignalRelease = (signal: SignalRelease): Promise<boolean> =>
  putIfAbsent({ ...signalReleaseKey(signal.id), type: 'signal_release', ...signal });

export const findSignalRelease = async (id: string): Promise<SignalRelease | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: signalReleaseKey(id), ConsistentRead: true }));
  return Item ? entityOf<SignalRelease>(Item) : undefined;
};
