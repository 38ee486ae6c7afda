#!/usr/bin/env node
// The CLI is TypeScript sharing the API's zod schemas; tsx compiles it on the fly, so a clean clone needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
