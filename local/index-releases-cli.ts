import { pathToFileURL } from 'node:url';
import { indexDeliveriesOfEveryHook, indexReleasesOfEveryApp } from '../shared/operations/release-index';
import { connectStore } from './keys-cli';

/**
 * `npm run index-releases`: writes the filter index of releases recorded before it existed, and puts hook
 * deliveries recorded before the delivery log was paged by time into that log, on the same store `npm run
 * keys` reaches (SLIPWAY_TABLE for a deployed table). Safe to run again at any time.
 */
const main = async (): Promise<number> => {
  const connection = await connectStore(process.env);
  console.error(`Using ${connection.target}.`);
  try {
    const total = await indexReleasesOfEveryApp((app, indexed) => {
      if (indexed > 0) console.log(`${app}: ${indexed} releases indexed`);
    });
    console.log(`${total} releases indexed in all.`);
    const deliveries = await indexDeliveriesOfEveryHook((app, indexed) => {
      if (indexed > 0) console.log(`${app}: ${indexed} hook deliveries put in their log`);
    });
    console.log(`${deliveries} hook deliveries put in their log in all.`);
    return 0;
  } finally {
    await connection.close();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
