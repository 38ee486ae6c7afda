/**
 * A lease: who may carry a piece of work forward, and until when. Work that must happen once (a keyed
 * request, a promotion's target releases) is done only by the holder of its lease; a lease whose holder
 * is gone may be taken over, and the new holder finishes the work from what is already written.
 */
export type Lease = { holder: string; until: number };

/**
 * Who is asking. `othersGone`: this process is the only Slipway on its store (the local server owns its
 * data dir), so a lease held by any other process is a leftover of a crash, whatever its time says. In AWS
 * many Lambdas share the table and a lease ends only with its time, which is the holder's own timeout.
 */
export type LeaseObserver = { self: string; othersGone: boolean };

export const leaseFor = (holder: string, now: number, durationMs: number): Lease => ({ holder, until: now + durationMs });

export const isLeaseLive = (lease: Lease | null, now: number, observer: LeaseObserver): boolean =>
  lease !== null && lease.until > now && (lease.holder === observer.self || !observer.othersGone);
