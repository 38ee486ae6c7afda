import * as z from 'zod';
import { AppRef, Timestamp, Uuid } from './common';

/** What the API answers about builds, apart from the requests (builds.ts): the functions that parse those construct none of this at a cold start. */

/** A commit as a build lists it, and each release of the build after it. */
export const CommitResponse = z
  .object({
    sha: z.string(),
    author: z.string().nullable(),
    committed_at: Timestamp.nullable().meta({ description: 'Null for a commit named by its sha alone that no build Slipway knows lists.' }),
    message: z.string().nullable(),
  })
  .meta({ id: 'CommitRecord' });

export const BuildResponse = z
  .object({
    id: Uuid,
    app: AppRef,
    created_at: Timestamp,
    updated_at: Timestamp,
    status: z.enum(['pending', 'succeeded', 'failed']),
    source_blob: z.object({
      image: z.string(),
      commit: z.string().nullable(),
      branch: z.string().nullable(),
      repo: z.string().nullable(),
      version: z.string().nullable(),
      author: z.string().nullable(),
      message: z.string().nullable(),
      tag: z.string().nullable(),
    }),
    commits: z.array(CommitResponse).meta({ description: 'Newest first; [] when CI sent none.' }),
    metadata: z.record(z.string(), z.unknown()),
    ci_build_id: z.string().nullable().meta({ description: "The CI's own id of the build, if given" }),
    slug: z.object({ id: Uuid }),
  })
  .meta({ id: 'Build' });
export type BuildResponse = z.infer<typeof BuildResponse>;
