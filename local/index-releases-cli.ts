import { pathToFileURL } from 'node:url';
import { indexReleasesOfEveryApp } from '../shared/operations/release-index';
import { connectStore } from './keys-cli';

/**
 * `npm run index-releases`: writes the filter index of releases recorded before it existed, on the same
 * store `npm run keys` reaches (SLIPWAY_TABLE for a deployed table). Safe to run again at any time.
 */
const main = async (): Promise<number> => {
  const connection = await connectStore(process.env);
  console.error(`Using ${connection.target}.`);
  try {
    const total = await indexReleasesOfEveryApp((app, indexed) => {
      if (indexed > 0) console.log(`${app}: ${indexed} releases indexed`);
    });
    console.log(`${total} releases indexed in all.`);
    return 0;
  } finally {
    await connection.close();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
