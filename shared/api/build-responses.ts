import * as z from 'zod/mini';
import { AppRef, Timestamp, Uuid } from './common';

/** What the API answers about builds, apart from the requests (builds.ts): the functions that parse those construct none of this at a cold start. */

/** A commit as a build lists it, and each release of the build after it. */
export const CommitResponse = z
  .object({
    sha: z.string(),
    author: z.nullable(z.string()),
    committed_at: z.nullable(Timestamp()).check(z.meta({ description: 'Null for a commit named by its sha alone that no build Slipway knows lists.' })),
    message: z.nullable(z.string()),
  })
  .register(z.globalRegistry, { id: 'CommitRecord' });

export const BuildResponse = z
  .object({
    id: Uuid,
    app: AppRef(),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    source_blob: z.object({
      image: z.string(),
      commit: z.nullable(z.string()),
      branch: z.nullable(z.string()),
      repo: z.nullable(z.string()),
      version: z.nullable(z.string()),
      author: z.nullable(z.string()),
      message: z.nullable(z.string()),
      tag: z.nullable(z.string()),
    }),
    commits: z.array(CommitResponse).check(z.meta({ description: 'Newest first; [] when CI sent none.' })),
    metadata: z.record(z.string(), z.unknown()),
    ci_build_id: z.nullable(z.string()).check(z.meta({ description: "The CI's own id of the build, if given" })),
    slug: z.object({ id: Uuid }),
  })
  .register(z.globalRegistry, { id: 'Build' });
export type BuildResponse = z.infer<typeof BuildResponse>;
