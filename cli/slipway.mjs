#!/usr/bin/env node
// Runs the CLI as `npm install` built it (its prepare script bundles cli/ into one file): nothing to compile at start.
import { existsSync } from 'node:fs';
import module from 'node:module';

const built = new URL('./dist/slipway.cjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(`slipway is not built (no ${built.pathname}): run \`npm install\` in the Slipway repository.\n`);
  process.exit(2);
}
// Node keeps V8's compiled code for the build in its cache folder (under the OS temp dir): later starts skip compiling it.
// (Node 22.1 and later; an older Node still runs the CLI, without the cache.)
module.enableCompileCache?.();
await import(built.href);
