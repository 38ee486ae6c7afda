import * as z from 'zod';
import { DEFAULT_BUILD_PAGE } from '../domain/requests';
import { MAX_BUILD_COMMITS } from '../domain/shipped-commits';
import { Commit, CommitId, metadataOf, shortText, utf8Bytes } from './common';

/** A container image reference: repository[:tag][@sha256:digest]. */
const ImageReference = z
  .string()
  .max(512)
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'must be a container image reference such as registry/repo:tag or registry/repo@sha256:<digest>',
  );

/** Commits are copied onto each release of the build, so their total is bounded too (see test/proof/item-size). */
export const MAX_COMMITS_BYTES = 16 * 1024;
export const MAX_BUILD_METADATA_BYTES = 8 * 1024;

/**
 * Akkeris' CLI registers an image as `{url, checksum: "", sha: ""}`: `url` is a narrow alias of `image`
 * (both may be given only when equal), an empty `checksum` or `sha` means none.
 */
export const CreateBuildRequest = z
  .strictObject({
    image: ImageReference.optional().meta({ description: 'The container image; required (or url) unless the app is external.' }),
    url: ImageReference.optional().meta({ description: 'Akkeris alias of image.' }),
    checksum: z.literal('').optional().meta({ description: 'Akkeris sends an empty checksum for an image; only "" is accepted.' }),
    sha: z.union([CommitId, z.literal('')]).optional().meta({ description: 'Commit id; "" means none.' }),
    branch: shortText(255).optional(),
    repo: shortText(1024).optional(),
    version: shortText(255).optional(),
    author: shortText(255).optional(),
    message: shortText(4096).optional(),
    tag: shortText(255).optional(),
    commits: z
      .array(Commit)
      .max(MAX_BUILD_COMMITS)
      .refine((commits) => utf8Bytes(JSON.stringify(commits)) <= MAX_COMMITS_BYTES, {
        message: `must be at most ${MAX_COMMITS_BYTES} bytes as JSON`,
      })
      .optional()
      .meta({ description: `The commits this build is made of, newest first, as CI knows them (at most ${MAX_BUILD_COMMITS}).` }),
    metadata: metadataOf(MAX_BUILD_METADATA_BYTES).optional(),
    ci_build_id: shortText(255)
      .min(1)
      .optional()
      .meta({ description: "The CI's own id of the build (its build or run id); releases can be filtered by it (build_id[])." }),
    status: z.enum(['succeeded', 'pending']).default('succeeded'),
  })
  .refine((request) => request.image === undefined || request.url === undefined || request.image === request.url, {
    message: 'image and url name different images; give one of them',
    path: ['url'],
  })
  .transform(({ url, checksum: _checksum, image, sha, ...rest }) => ({
    ...rest,
    image: image ?? url,
    ...(sha ? { sha } : {}),
  }))
  .meta({ id: 'CreateBuildRequest' });
export type CreateBuildRequest = z.infer<typeof CreateBuildRequest>;

export const UpdateBuildRequest = z
  .strictObject({ status: z.enum(['succeeded', 'failed']) })
  .meta({ id: 'UpdateBuildRequest' });
export type UpdateBuildRequest = z.infer<typeof UpdateBuildRequest>;

export const ListBuildsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: `The oldest N builds. Without it, the newest ${DEFAULT_BUILD_PAGE}, oldest first.` }),
});
