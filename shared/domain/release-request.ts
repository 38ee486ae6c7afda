import { conflict, unprocessable } from './errors';
import type { App, Build, Metadata, RecordedOutcome, ReleaseTrigger } from './model';

/** What a `POST /apps/{app}/releases` asks for: a build to deploy, or an earlier release to go back to. */
export type ReleaseSource = { kind: 'slug'; slugId: string } | { kind: 'rollback'; target: RollbackTarget; force: boolean };

/** Operators think in versions: a rollback names its target by id or by version number. */
export type RollbackTarget = { id: string } | { version: number };

export const releaseSourceOf = (request: {
  slug?: string | undefined;
  release?: RollbackTarget | undefined;
  force?: boolean | undefined;
}): ReleaseSource => {
  const hasSlug = request.slug !== undefined;
  const hasRelease = request.release !== undefined;
  if (hasSlug === hasRelease) {
    throw unprocessable(
      'slug_or_release_required',
      hasSlug
        ? 'Give either "slug" (a build to release) or "release" (a release to roll back to), not both.'
        : 'Give "slug" (a build to release) or "release" (a release to roll back to).',
      { fields: ['slug', 'release'] },
    );
  }
  return request.slug !== undefined
    ? { kind: 'slug', slugId: request.slug }
    : { kind: 'rollback', target: request.release as RollbackTarget, force: request.force === true };
};

/** What releases a build; rollbacks release an earlier release's build instead. */
type BuildTrigger = Exclude<ReleaseTrigger, 'rollback' | 'auto_rollback' | 'config'>;

/** The parts of a new release that depend on where its slug came from. */
export type ReleasePlan = {
  slugId: string;
  image: string;
  description: string;
  trigger: ReleaseTrigger;
  /** The promotion a target's release belongs to, so settling the release can finish the promotion. */
  promotionId?: string;
  /**
   * A rollback's: the config version (null: none) whose vars become the app's newest config before the
   * release takes its version. Like every release, it then runs the app's newest config.
   */
  restoresConfig?: { version: number | null };
  /** The build itself when the plan already holds it; otherwise it is read by its slug id. */
  build?: Pick<Build, 'source_blob' | 'commits' | 'ci_build_id'>;
  notes?: string | null;
  metadata?: Metadata;
  min_version?: string | null;
  /** A release of an external app, as its client reports it: recorded with this outcome, never rolled out. */
  recorded?: RecordedOutcome;
};

/** A build can be released only to its own app and only once CI reported it succeeded. */
export const planBuildRelease = (
  app: App,
  build: Build,
  trigger: BuildTrigger,
  description?: string,
): ReleasePlan => {
  if (build.app.id !== app.id) {
    throw conflict('slug_belongs_to_another_app', `Slug ${build.id} belongs to app ${build.app.name}, not ${app.name}.`, {
      slug: build.id,
      slug_app: build.app.name,
      app: app.name,
    });
  }
  if (build.status !== 'succeeded') {
    throw conflict('slug_not_succeeded', `Slug ${build.id} is ${build.status}; only succeeded builds can be released.`, {
      slug: build.id,
      build_status: build.status,
    });
  }
  return {
    slugId: build.id,
    image: build.source_blob.image,
    description: description ?? defaultDescription(trigger, build),
    trigger,
    build,
  };
};

const defaultDescription = (trigger: BuildTrigger, build: Build): string => {
  const what = build.source_blob.version ?? build.source_blob.commit?.slice(0, 7) ?? build.id;
  switch (trigger) {
    case 'auto':
      return `Auto-release of build ${build.id}`;
    case 'promotion':
      return `Promotion of ${what}`;
    case 'deploy':
      return `Deploy ${what}`;
  }
};
