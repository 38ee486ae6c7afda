import { randomUUID } from 'node:crypto';
import { isLeaseLive, leaseFor, type Lease, type LeaseObserver } from '../domain/lease';

/** This process, as a lease holder: a Lambda execution environment, or the local server. */
const observer: LeaseObserver = { self: randomUUID(), othersGone: false };
const startedAt = Date.now();

/** Longer than any function runs: unfinished work this old has lost its writer. */
const WRITER_GONE_AFTER_MS = 30_000;

/** The local server calls this: it alone uses its data dir, so leases of earlier processes died with them. */
export const treatOtherLeaseHoldersAsGone = (): void => {
  observer.othersGone = true;
};

export const leaseForThisProcess = (durationMs: number): Lease => leaseFor(observer.self, Date.now(), durationMs);

export const isLeaseLiveNow = (lease: Lease | null): boolean => isLeaseLive(lease, Date.now(), observer);

/**
 * Whether work begun at `at` and not finished (a version claimed but not placed) has lost its writer, so
 * that others carry it forward: it is older than any function runs, or (on the local server) older than
 * this process, whose data no earlier process still writes.
 */
export const isWriterGoneSince = (at: string): boolean => {
  const began = Date.parse(at);
  return Date.now() - began >= WRITER_GONE_AFTER_MS || (observer.othersGone && began < startedAt);
};
