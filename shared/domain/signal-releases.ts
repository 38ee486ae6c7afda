import { v5 as uuidv5 } from 'uuid';
import type { Actor, AppRef, Release } from './model';

/**
 * A release as Echoes' releases API declares it: one version of several deliverables (apps), under one id.
 * Slipway records it as one recorded release per deliverable, each with its own build, all under that id.
 */
export type SignalRelease = {
  id: string;
  version: string;
  name: string | null;
  /** The commit (sha) of the release's tag, as the client gives it. */
  ref: string | null;
  /** When the release happened, as the client gives it (default: when it was declared). */
  date: string;
  url: string | null;
  /** The shas the client lists, as given. */
  commits: string[];
  /** One per deliverable, in the order given: the app and the release recorded for it there. */
  deliverables: { app: AppRef; release_id: string; build_id: string }[];
  user: Actor;
  created_at: string;
};

/** Echoes' words for how a release went. */
export const SIGNAL_STATUSES = ['success', 'failure'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export const releaseStatusOfSignal = (status: SignalStatus): 'succeeded' | 'failed' => (status === 'success' ? 'succeeded' : 'failed');

/** The ids of a deliverable's release and build, derived from the declaration and the app: the same on every attempt. */
export const signalDeliverableIds = (signalId: string, appId: string) => ({
  releaseId: uuidv5(`release:${appId}`, signalId),
  buildId: uuidv5(`build:${appId}`, signalId),
});

/** The declaration's status from its deliverables' releases: failure if any failed, success once all succeeded. */
export const signalStatusOf = (releases: readonly (Pick<Release, 'status'> | undefined)[]): 'pending' | SignalStatus => {
  if (releases.some((release) => release?.status === 'failed' || release?.status === 'unknown')) return 'failure';
  return releases.every((release) => release?.status === 'succeeded') ? 'success' : 'pending';
};
