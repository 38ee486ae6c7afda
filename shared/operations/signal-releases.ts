import { actorOf, authorize, mayAccessApp, type Principal } from '../domain/access';
import { isNotFound, notFound, unprocessable } from '../domain/errors';
import type { App, Release } from '../domain/model';
import { releaseStatusOfSignal, signalDeliverableIds, type SignalRelease, type SignalStatus } from '../domain/signal-releases';
import { findAppById } from '../store/apps-store';
import { findReleaseById } from '../store/releases-store';
import { findSignalRelease, insertSignalRelease } from '../store/signal-releases-store';
import { requireApp } from './apps';
import { commitsOfShas, recordReportedRelease, recordingRefusalOf } from './recorded-releases';
import { reportRecordedStatus } from './releases';

/** What an Echoes client declares: a version of one or more deliverables (external apps). */
export type SignalDeclaration = {
  version: string;
  commits: string[];
  name?: string | undefined;
  ref?: string | undefined;
  date?: string | undefined;
  deliverables: string[];
  url?: string | undefined;
};

/** A declaration with the release recorded for each deliverable (undefined while one is still being recorded). */
export type SignalView = { signal: SignalRelease; releases: (Release | undefined)[] };

/**
 * `POST /v1/signals/releases`: one recorded release per deliverable, under one id (fixed by the payload's
 * own key, so the same payload from the same key makes this one declaration however often it comes). Every
 * deliverable is checked before anything is written: it must be an external app the key may release to.
 */
export const declareSignalRelease = async (declaration: SignalDeclaration, principal: Principal, id: string): Promise<SignalView> => {
  const apps = await Promise.all(declaration.deliverables.map((name) => deliverableApp(name, principal)));
  const at = new Date().toISOString();
  const signal: SignalRelease = {
    id,
    version: declaration.version,
    name: declaration.name ?? null,
    ref: declaration.ref ?? null,
    date: declaration.date ?? at,
    url: declaration.url ?? null,
    commits: declaration.commits,
    deliverables: apps.map((app) => {
      const ids = signalDeliverableIds(id, app.id);
      return { app: { id: app.id, name: app.name }, release_id: ids.releaseId, build_id: ids.buildId };
    }),
    user: actorOf(principal),
    created_at: at,
  };
  const written = (await insertSignalRelease(signal)) ? signal : await findSignalRelease(id);
  if (!written) throw new Error(`Signal release ${id} was neither written nor found`);
  return carryOn(written);
};

/** A declaration an earlier attempt began, carried to its end; undefined if that attempt wrote nothing. */
export const resumeSignalRelease = async (id: string): Promise<SignalView | undefined> => {
  const signal = await findSignalRelease(id);
  return signal && carryOn(signal);
};

const deliverableApp = async (name: string, principal: Principal): Promise<App> => {
  const app = await requireApp(name, principal).catch((error: unknown) => {
    if (isNotFound(error)) {
      throw unprocessable('unknown_deliverable', `No app named '${name}': each deliverable names an external app.`, { deliverable: name });
    }
    throw error;
  });
  authorize(principal, 'releases:deploy', app.name);
  const refusal = await recordingRefusalOf(app);
  if (refusal === 'not_external') {
    throw unprocessable(
      'deliverable_not_external',
      `${name} is deployed by Slipway: only external apps take releases declared by their clients.`,
      { deliverable: name },
    );
  }
  if (refusal) throw refusal;
  return app;
};

/** Records each deliverable's build and release (each found if written already), in the declaration's order. */
const carryOn = async (signal: SignalRelease): Promise<SignalView> => {
  const releases = await Promise.all(
    signal.deliverables.map(async ({ app: ref, release_id, build_id }) => {
      const app = await findAppById(ref.id);
      if (!app) throw notFound('app', ref.name);
      return recordReportedRelease(
        app,
        {
          build: { version: signal.version, commits: await commitsOfShas(app, signal.commits), tag: signal.ref ?? undefined, status: 'succeeded' },
          report: { started_at: signal.date, url: signal.url ?? undefined, name: signal.name ?? undefined },
          defaultStatus: 'pending',
          description: `Release ${signal.version}${signal.name ? ` (${signal.name})` : ''}`,
        },
        signal.user,
        { releaseId: release_id, buildId: build_id },
      );
    }),
  );
  return { signal, releases };
};

/** The declaration with its releases as they are now, if the key may read every app it names. */
export const requireSignalRelease = async (id: string, principal: Principal): Promise<SignalView> => {
  const signal = await findSignalRelease(id);
  if (!signal) throw notFound('signal_release', id);
  for (const { app } of signal.deliverables) authorizeOrHide(principal, 'read', app.name, id);
  const releases = await Promise.all(signal.deliverables.map(({ app, release_id }) => findReleaseById(app.id, release_id)));
  return { signal, releases };
};

/** A key that does not cover one of the declaration's apps is answered as if it did not exist. */
const authorizeOrHide = (principal: Principal, action: 'read' | 'releases:deploy', appName: string, id: string): void => {
  if (!mayAccessApp(principal, appName)) throw notFound('signal_release', id);
  authorize(principal, action, appName);
};

/**
 * `PATCH /v1/signals/releases/{id}`: how the release went, reported on every deliverable's recorded release
 * (checked for all before any is changed). A failure after success counts as a failed change.
 */
export const reportSignalStatus = async (id: string, status: SignalStatus, principal: Principal): Promise<SignalView> => {
  const { signal } = await requireSignalRelease(id, principal);
  for (const { app } of signal.deliverables) authorizeOrHide(principal, 'releases:deploy', app.name, id);
  const releases = await Promise.all(
    signal.deliverables.map(async ({ app: ref, release_id }) => {
      const app = await findAppById(ref.id);
      if (!app) throw notFound('app', ref.name);
      return reportRecordedStatus(app, release_id, { status: releaseStatusOfSignal(status) }, actorOf(principal));
    }),
  );
  return { signal, releases };
};
