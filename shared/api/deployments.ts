import * as z from 'zod';
import { DEPLOYMENT_RESULTS } from '../domain/deployments';
import { ClientTime, CommitId, metadataOf, shortText } from './common';

/**
 * ReleaseBits' deployments API under Slipway's base URL: `POST /components/{component}/deployments/` (the
 * component is an external app), its fields sent as JSON, as a form or as query parameters alone.
 */
const MAX_DEPLOYMENT_META_BYTES = 1024;

const DEPLOYMENT_FIELDS = {
  version: shortText(255).min(1).meta({ description: 'The version deployed: all deployments of a version are one release.' }),
  result: z
    .enum(DEPLOYMENT_RESULTS)
    .optional()
    .meta({ description: 'How it went: success/succeeded, failure/failed/error, or pending/started/in_progress; default success.' }),
  stage: shortText(255).optional().meta({ description: 'The stage (environment) deployed to.' }),
  host: shortText(255).optional().meta({ description: 'The host deployed to; a host and stage are listed once, by their latest deployment.' }),
  code_name: shortText(255).optional().meta({ description: "The version's code name: its release's name." }),
  started_at: ClientTime.optional(),
  finished_at: ClientTime.optional().meta({ description: 'Default: when the deployment is reported (unless pending).' }),
  commit_sha: CommitId.optional().meta({ description: "The commit deployed: the build's commit." }),
  tag: shortText(255).optional(),
  branch: shortText(255).optional(),
};

export const DeploymentRequest = z
  .strictObject({
    ...DEPLOYMENT_FIELDS,
    meta_data: metadataOf(MAX_DEPLOYMENT_META_BYTES).optional().meta({ description: `Free JSON (a form or query: meta_data[key]=value), at most ${MAX_DEPLOYMENT_META_BYTES} bytes.` }),
  })
  .meta({ id: 'DeploymentRequest' });
export type DeploymentRequest = z.infer<typeof DeploymentRequest>;

/** What the query may carry instead of a body, for the document (meta_data[key]=value too, and the key as access_token). */
export const DeploymentQuery = z.object({
  ...Object.fromEntries(Object.entries(DEPLOYMENT_FIELDS).map(([name, schema]) => [name, schema.optional()])),
  access_token: z.string().optional(),
});
