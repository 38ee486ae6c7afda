import * as z from 'zod';
import { AppRef, Timestamp, Uuid, shortText } from './common';

/** A container image reference: repository[:tag][@sha256:digest]. */
const ImageReference = z
  .string()
  .max(512)
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'must be a container image reference such as registry/repo:tag or registry/repo@sha256:<digest>',
  );

export const CreateBuildRequest = z
  .strictObject({
    image: ImageReference,
    sha: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a hex commit id').optional(),
    branch: shortText(255).optional(),
    repo: shortText(1024).optional(),
    version: shortText(255).optional(),
    author: shortText(255).optional(),
    message: shortText(4096).optional(),
    status: z.enum(['succeeded', 'pending']).default('succeeded'),
  })
  .meta({ id: 'CreateBuildRequest' });
export type CreateBuildRequest = z.infer<typeof CreateBuildRequest>;

export const UpdateBuildRequest = z
  .strictObject({ status: z.enum(['succeeded', 'failed']) })
  .meta({ id: 'UpdateBuildRequest' });
export type UpdateBuildRequest = z.infer<typeof UpdateBuildRequest>;

export const ListBuildsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'Oldest first; default 100.' }),
});

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
    }),
    slug: z.object({ id: Uuid }),
  })
  .meta({ id: 'Build' });
export type BuildResponse = z.infer<typeof BuildResponse>;
