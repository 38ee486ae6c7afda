import {
  applyConfigChange,
  assertConfigChange,
  describeConfigChange,
  diffConfig,
  type ConfigChange,
  type ConfigDiff,
  type ConfigVars,
  type ConfigVersion,
} from '../domain/config-vars';
import type { Actor, App, Release } from '../domain/model';
import { getSecretStore } from '../secrets/secret-store';
import { appendConfigVersion, findConfigVersion, findConfigVersionOfChange, findLatestConfigVersion } from '../store/config-store';
import { findReleaseByVersion } from '../store/releases-store';
import { directReleaseRefusalFor } from './pipelines';
import { assertDeployable } from '../domain/external-apps';
import { findRecordedRelease, recordRelease, requireRelease } from './releases';

/** `GET /apps/{app}/config-vars`: the app's current config (empty before its first change). */
export const currentConfigVars = async (app: App): Promise<ConfigVars> => (await findLatestConfigVersion(app.id))?.vars ?? {};

export type ConfigChangeOutcome = { config: ConfigVars; release: Release | null };

/**
 * `PATCH /apps/{app}/config-vars`: a new config version, then a release of the current build with it
 * (none while the app has no succeeded release: its first release takes the config). `id` is fixed by an
 * Idempotency-Key: a retry finds the version and the release the first attempt made.
 */
export const changeConfigVars = async (app: App, change: ConfigChange, actor: Actor, id: string): Promise<ConfigChangeOutcome> => {
  assertConfigChange(change);
  // Config is the environment of a container Slipway deploys; an external app has none.
  assertDeployable(app, 'config change');
  const current = app.current_release_version === null ? undefined : await findReleaseByVersion(app.id, app.current_release_version);
  if (current) {
    const refusal = await directReleaseRefusalFor(app);
    if (refusal) throw refusal;
  }
  const config = (await findConfigVersionOfChange(id)) ?? (await writeConfigVersion(app, change, actor, id));
  if (!current) return { config: config.vars, release: null };
  const release = await recordRelease(
    app,
    {
      slugId: current.slug.id,
      image: current.image,
      description: describeConfigChange(change),
      trigger: 'config',
      // Left to recordRelease: the newest config when the release is recorded, this one or a later change's.
    },
    actor,
    id,
  );
  return { config: config.vars, release };
};

/** A retry's answer: the release the change made, if it got that far (else the change is run again). */
export const findConfigChange = async (app: App, id: string): Promise<ConfigChangeOutcome | undefined> => {
  const [config, release] = await Promise.all([findConfigVersionOfChange(id), findRecordedRelease(app, id)]);
  if (!config || (!release && app.current_release_version !== null)) return undefined;
  return { config: config.vars, release: release ?? null };
};

/** Secrets are stored first (under names of this change); the version is appended on top of the newest, however many changes race. */
const writeConfigVersion = async (app: App, change: ConfigChange, actor: Actor, changeId: string): Promise<ConfigVersion> => {
  const secretRefs = Object.fromEntries(
    await Promise.all(
      Object.entries(change).flatMap(([name, entry]) =>
        entry?.secret ? [getSecretStore().put({ appId: app.id, changeId, name, value: entry.value }).then((ref) => [name, ref] as const)] : [],
      ),
    ),
  );
  return appendConfigVersion(app.id, { id: changeId, user: actor }, (latest) => applyConfigChange(latest, change, secretRefs));
};

/** The config a release runs with (empty for one recorded before the app had config vars). */
const configOfRelease = async ({ app, config_version }: Release): Promise<ConfigVars> =>
  config_version == null ? {} : ((await findConfigVersion(app.id, config_version))?.vars ?? {});

/** `GET /apps/{app}/releases/{v}/config-diff?against={w}`: what going from release w to release v changes. */
export const releaseConfigDiff = async (
  app: App,
  reference: string,
  against: string,
): Promise<{ release: Release; against: Release; diff: ConfigDiff }> => {
  const [release, base] = await Promise.all([requireRelease(app, reference), requireRelease(app, against)]);
  const [to, from] = await Promise.all([configOfRelease(release), configOfRelease(base)]);
  return { release, against: base, diff: diffConfig(from, to) };
};
