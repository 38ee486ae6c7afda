import * as z from 'zod/mini';
import { SECRET_MASK } from '../domain/config-vars';
import { ConfigVarName } from './config-vars';

/** What the API answers about config vars, apart from the requests (config-vars.ts): the functions that parse those construct none of this at a cold start. */

export const ConfigVarsResponse = z
  .record(ConfigVarName(), z.string())
  .register(z.globalRegistry, { id: 'ConfigVars', description: `The app's config vars; a secret's value reads ${SECRET_MASK}.`, example: { LOG_LEVEL: 'debug', API_TOKEN: SECRET_MASK } });
export type ConfigVarsResponse = z.infer<typeof ConfigVarsResponse>;

const ReleaseMark = z.object({ id: z.uuid(), version: z.int().check(z.positive()), config_version: z.nullable(z.int().check(z.positive())) });

export const ConfigDiffResponse = z
  .object({
    release: ReleaseMark,
    against: ReleaseMark,
    added: z.record(z.string(), z.string()).check(z.meta({ description: 'Vars {release} has and {against} has not.' })),
    removed: z.record(z.string(), z.string()).check(z.meta({ description: 'Vars {against} has and {release} has not.' })),
    changed: z.record(z.string(), z.object({ from: z.string(), to: z.string() })).check(z.meta({ description: 'from: in {against}; to: in {release}.' })),
  })
  .register(z.globalRegistry, { id: 'ConfigDiff', description: `What going from {against} to {release} changes; secret values read ${SECRET_MASK}.` });
export type ConfigDiffResponse = z.infer<typeof ConfigDiffResponse>;
