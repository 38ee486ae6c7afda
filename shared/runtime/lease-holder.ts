import { randomUUID } from 'node:crypto';
import { isLeaseLive, leaseFor, type Lease, type LeaseObserver } from '../domain/lease';

/** This process, as a lease holder: a Lambda execution environment, or the local server. */
const observer: LeaseObserver = { self: randomUUID(), othersGone: false };

/** The local server calls this: it alone uses its data dir, so leases of earlier processes died with them. */
export const treatOtherLeaseHoldersAsGone = (): void => {
  observer.othersGone = true;
};

export const leaseForThisProcess = (durationMs: number): Lease => leaseFor(observer.self, Date.now(), durationMs);

export const isLeaseLiveNow = (lease: Lease | null): boolean => isLeaseLive(lease, Date.now(), observer);
