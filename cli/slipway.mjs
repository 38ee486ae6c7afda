#!/usr/bin/env node
// Runs the CLI as `npm install` built it (its prepare script bundles cli/ into one file): nothing to compile at start.
import { existsSync } from 'node:fs';

const built = new URL('./dist/slipway.mjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(`slipway is not built (no ${built.pathname}): run \`npm install\` in the Slipway repository.\n`);
  process.exit(2);
}
await import(built.href);
