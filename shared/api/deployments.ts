import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { DEPLOYMENT_RESULTS } from '../domain/deployments';
import { ClientTime, CommitId, metadataOf, shortText } from './common';

/**
 * ReleaseBits' deployments API under Slipway's base URL: `POST /components/{component}/deployments/` (the
 * component is an external app), its fields sent as JSON, as a form or as query parameters alone.
 */
const MAX_DEPLOYMENT_META_BYTES = 1024;

const DEPLOYMENT_FIELDS = builtOnFirstUse(() => ({
  version: shortText(255).check(z.minLength(1), z.meta({ description: 'The version deployed: all deployments of a version are one release.' })),
  result: z
    .optional(z.enum(DEPLOYMENT_RESULTS))
    .check(z.meta({ description: 'How it went: success/succeeded, failure/failed/error, or pending/started/in_progress; default success.' })),
  stage: z.optional(shortText(255)).check(z.meta({ description: 'The stage (environment) deployed to.' })),
  host: z.optional(shortText(255)).check(z.meta({ description: 'The host deployed to; a host and stage are listed once, by their latest deployment.' })),
  code_name: z.optional(shortText(255)).check(z.meta({ description: "The version's code name: its release's name." })),
  started_at: z.optional(ClientTime()),
  finished_at: z.optional(ClientTime()).check(z.meta({ description: 'Default: when the deployment is reported (unless pending).' })),
  commit_sha: z.optional(CommitId()).check(z.meta({ description: "The commit deployed: the build's commit." })),
  tag: z.optional(shortText(255)),
  branch: z.optional(shortText(255)),
}));

export const DeploymentRequest = builtOnFirstUse(() =>
  z
    .strictObject({
      ...DEPLOYMENT_FIELDS(),
      meta_data: z
        .optional(metadataOf(MAX_DEPLOYMENT_META_BYTES))
        .check(z.meta({ description: `Free JSON (a form or query: meta_data[key]=value), at most ${MAX_DEPLOYMENT_META_BYTES} bytes.` })),
    })
    .register(z.globalRegistry, { id: 'DeploymentRequest' }),
);
export type DeploymentRequest = z.infer<ReturnType<typeof DeploymentRequest>>;

/** What the query may carry instead of a body, for the document (meta_data[key]=value too, and the key as access_token). */
export const DeploymentQuery = builtOnFirstUse(() =>
  z.object({
    ...Object.fromEntries(Object.entries(DEPLOYMENT_FIELDS()).map(([name, schema]) => [name, z.optional(schema)])),
    access_token: z.optional(z.string()),
  }),
);
