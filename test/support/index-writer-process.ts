/**
 * Run as a child process by the store atomicity proof: serves dynalite on the data dir given as argv[2],
 * then writes items that each carry the table's local and global index keys, and moves them between
 * index entries, as fast as it can until it is killed.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { createStore } from '../../shared/store/client';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: index-writer-process <data dir>');
const dynamo = await startDynalite({ path: dataDir });
const store = createStore({ tableName: 'atomicity', endpoint: dynamo.endpoint });
await ensureTable(store);
process.stdout.write('writing\n');

const WRITERS = 8;
const writer = async (writerIndex: number): Promise<never> => {
  for (let n = 0; ; n++) {
    const id = `${writerIndex}-${n}`;
    await store.client.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: `P#${writerIndex}`, sk: `S#${n}`, lsi1sk: `ID#${id}`, gsi1pk: `ID#${id}`, gsi1sk: 'ITEM', gsi2pk: 'STATUS#new', gsi2sk: id },
      }),
    );
    // An update that moves the item from one gsi2 entry to another, as a release's status change does.
    await store.client.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: `P#${writerIndex}`, sk: `S#${n}` },
        UpdateExpression: 'SET gsi2pk = :status',
        ExpressionAttributeValues: { ':status': 'STATUS#done' },
      }),
    );
  }
};
await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
