import * as z from 'zod/mini';
import { builtOnFirstUse } from '../runtime/built-on-first-use';
import { DEFAULT_BUILD_PAGE } from '../domain/requests';
import { MAX_BUILD_COMMITS } from '../domain/shipped-commits';
import { Commit, CommitId, metadataOf, shortText, utf8Bytes } from './common';

/** A container image reference: repository[:tag][@sha256:digest]. */
const ImageReference = builtOnFirstUse(() =>
  z
    .string()
    .check(
      z.maxLength(512),
      z.regex(
        /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
        'must be a container image reference such as registry/repo:tag or registry/repo@sha256:<digest>',
      ),
    ),
);

/** Commits are copied onto each release of the build, so their total is bounded too (see test/proof/item-size). */
export const MAX_COMMITS_BYTES = 16 * 1024;
export const MAX_BUILD_METADATA_BYTES = 8 * 1024;

/**
 * Akkeris' CLI registers an image as `{url, checksum: "", sha: ""}`: `url` is a narrow alias of `image`
 * (both may be given only when equal), an empty `checksum` or `sha` means none.
 */
export const CreateBuildRequest = builtOnFirstUse(() =>
  z
    .pipe(
      z
        .strictObject({
          image: z.optional(ImageReference()).check(z.meta({ description: 'The container image; required (or url) unless the app is external.' })),
          url: z.optional(ImageReference()).check(z.meta({ description: 'Akkeris alias of image.' })),
          checksum: z.optional(z.literal('')).check(z.meta({ description: 'Akkeris sends an empty checksum for an image; only "" is accepted.' })),
          sha: z.optional(z.union([CommitId(), z.literal('')])).check(z.meta({ description: 'Commit id; "" means none.' })),
          branch: z.optional(shortText(255)),
          repo: z.optional(shortText(1024)),
          version: z.optional(shortText(255)),
          author: z.optional(shortText(255)),
          message: z.optional(shortText(4096)),
          tag: z.optional(shortText(255)),
          commits: z
            .optional(
              z.array(Commit()).check(
                z.maxLength(MAX_BUILD_COMMITS),
                z.refine((commits) => utf8Bytes(JSON.stringify(commits)) <= MAX_COMMITS_BYTES, {
                  message: `must be at most ${MAX_COMMITS_BYTES} bytes as JSON`,
                }),
              ),
            )
            .check(z.meta({ description: `The commits this build is made of, newest first, as CI knows them (at most ${MAX_BUILD_COMMITS}).` })),
          metadata: z.optional(metadataOf(MAX_BUILD_METADATA_BYTES)),
          ci_build_id: z
            .optional(shortText(255).check(z.minLength(1)))
            .check(z.meta({ description: "The CI's own id of the build (its build or run id); releases can be filtered by it (build_id[])." })),
          status: z._default(z.enum(['succeeded', 'pending']), 'succeeded'),
        })
        .check(
          z.refine((request) => request.image === undefined || request.url === undefined || request.image === request.url, {
            message: 'image and url name different images; give one of them',
            path: ['url'],
          }),
        ),
      z.transform(({ url, checksum: _checksum, image, sha, ...rest }) => ({
        ...rest,
        image: image ?? url,
        ...(sha ? { sha } : {}),
      })),
    )
    .register(z.globalRegistry, { id: 'CreateBuildRequest' }),
);
export type CreateBuildRequest = z.infer<ReturnType<typeof CreateBuildRequest>>;

export const UpdateBuildRequest = builtOnFirstUse(() =>
  z.strictObject({ status: z.enum(['succeeded', 'failed']) }).register(z.globalRegistry, { id: 'UpdateBuildRequest' }),
);
export type UpdateBuildRequest = z.infer<ReturnType<typeof UpdateBuildRequest>>;

export const ListBuildsQuery = builtOnFirstUse(() =>
  z.object({
    limit: z
      .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)))
      .check(z.meta({ description: `The oldest N builds. Without it, the newest ${DEFAULT_BUILD_PAGE}, oldest first.` })),
  }),
);
