import { createRequire } from 'node:module';

/**
 * Makes dynalite write an item and its index entries in one LevelDB batch.
 *
 * dynalite writes a put's (update's, delete's) index entries first and its item after, as separate LevelDB
 * writes: a process killed between them leaves an index entry without its item (or an item whose indexes
 * say something else), which DynamoDB never shows. Slipway reads releases by id through an index, so a
 * torn write answered a retry with a release that was never in its slot. Here the index writes dynalite
 * computes are held back and committed in the same batch as the item, which LevelDB applies whole or not
 * at all. Only the storage step changes: conditions, locks, index contents and the on-disk layout are
 * dynalite's own.
 */

type Callback = (error?: Error | null) => void;
type Item = Record<string, unknown>;
type Table = { TableName: string };
type BatchOperation = { type: 'put'; key: string; value: Item } | { type: 'del'; key: string };
type MainDb = { batch: (operations: BatchOperation[], callback: Callback) => void };
type SubDb = { put: (key: string, value: Item, callback: Callback) => void; del: (key: string, callback: Callback) => void };
type DynaliteStore = {
  db: MainDb;
  getItemDb: (tableName: string) => SubDb;
  getIndexDb: (indexType: string, tableName: string, indexName: string) => SubDb;
};
type UpdateIndexes = (store: DynaliteStore, table: Table, existing: Item | undefined, item: Item | null, callback: Callback) => void;
type DynaliteDb = {
  create: (options: unknown) => DynaliteStore;
  createKey: (item: Item, table: Table) => string;
  updateIndexes: UpdateIndexes;
};

// The key layout dynalite persists (db/index.js: getItemDb, getIndexDb, createPrefixedDbWrapper): each
// sub-database is a key prefix of the one LevelDB, which is what lets one batch span an item and its indexes.
const itemPrefix = (tableName: string) => `item-${tableName}~`;
const indexPrefix = (indexType: string, tableName: string, indexName: string) =>
  `index-${indexType.toLowerCase()}~${tableName}~${indexName}~`;

/** Index writes computed for an item and not yet committed, by table and item key. */
const heldIndexWrites = new WeakMap<DynaliteStore, Map<string, BatchOperation[]>>();
const heldKey = (tableName: string, itemKey: string) => `${tableName}\u0000${itemKey}`;

const holdIndexWrites =
  (computeIndexWrites: UpdateIndexes, createKey: DynaliteDb['createKey']): UpdateIndexes =>
  (store, table, existing, item, callback) => {
    const keyed = item ?? existing;
    if (!keyed) return callback();
    const held: BatchOperation[] = [];
    // dynalite's own index maintenance, run against sub-databases that record instead of writing.
    const recordingStore: DynaliteStore = {
      ...store,
      getIndexDb: (indexType, tableName, indexName) => {
        const prefix = indexPrefix(indexType, tableName, indexName);
        return {
          put: (key, value, done) => {
            held.push({ type: 'put', key: prefix + key, value });
            done();
          },
          del: (key, done) => {
            held.push({ type: 'del', key: prefix + key });
            done();
          },
        };
      },
    };
    computeIndexWrites(recordingStore, table, existing, item, (error) => {
      if (error) return callback(error);
      // The item's lock is held from here to its write, so one entry per item is ever waiting.
      if (held.length > 0) heldIndexWritesOf(store).set(heldKey(table.TableName, createKey(keyed, table)), held);
      callback();
    });
  };

const heldIndexWritesOf = (store: DynaliteStore): Map<string, BatchOperation[]> => {
  let held = heldIndexWrites.get(store);
  if (!held) {
    held = new Map();
    heldIndexWrites.set(store, held);
  }
  return held;
};

/** The item database of a table, whose put and delete commit the item's held index writes with it. */
const commitWithIndexes = (store: DynaliteStore, tableName: string, itemDb: SubDb): void => {
  const take = (key: string): BatchOperation[] => {
    const held = heldIndexWritesOf(store);
    const writes = held.get(heldKey(tableName, key)) ?? [];
    held.delete(heldKey(tableName, key));
    return writes;
  };
  itemDb.put = (key, value, callback) =>
    store.db.batch([...take(key), { type: 'put', key: itemPrefix(tableName) + key, value }], callback);
  itemDb.del = (key, callback) => store.db.batch([...take(key), { type: 'del', key: itemPrefix(tableName) + key }], callback);
};

const patched = new WeakSet<SubDb>();

let installed = false;

/** Installs the atomic writes into dynalite's module (once per process), before any server is created. */
export const makeDynaliteWritesAtomic = (): void => {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const db = require('dynalite/db') as DynaliteDb;
  db.updateIndexes = holdIndexWrites(db.updateIndexes, db.createKey);
  const create = db.create;
  db.create = (options) => {
    const store = create(options);
    const getItemDb = store.getItemDb;
    store.getItemDb = (tableName) => {
      const itemDb = getItemDb(tableName);
      if (!patched.has(itemDb)) {
        commitWithIndexes(store, tableName, itemDb);
        patched.add(itemDb);
      }
      return itemDb;
    };
    return store;
  };
};
