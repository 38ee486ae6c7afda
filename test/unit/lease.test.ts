import { describe, expect, it } from 'vitest';
import { isLeaseLive, leaseFor } from '../../shared/domain/lease';

const now = 1_000_000;

describe('leases', () => {
  it('lives until its time is up, in AWS whoever holds it', () => {
    const lambdas = { self: 'lambda-b', othersGone: false };
    expect(isLeaseLive(leaseFor('lambda-a', now, 15_000), now + 14_999, lambdas)).toBe(true);
    expect(isLeaseLive(leaseFor('lambda-a', now, 15_000), now + 15_000, lambdas)).toBe(false);
    expect(isLeaseLive(null, now, lambdas)).toBe(false);
  });

  it("on the local server dies with the process that took it: another process's lease is a crash's leftover", () => {
    const restarted = { self: 'server-2', othersGone: true };
    expect(isLeaseLive(leaseFor('server-1', now, 30_000), now + 1, restarted)).toBe(false);
    expect(isLeaseLive(leaseFor('server-2', now, 30_000), now + 1, restarted)).toBe(true);
    expect(isLeaseLive(leaseFor('server-2', now, 30_000), now + 30_000, restarted)).toBe(false);
  });
});
