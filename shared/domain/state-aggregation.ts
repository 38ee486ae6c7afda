import type { CheckState } from './model';

/** Worst first: one error outweighs any number of failures, and so on down. */
const PRECEDENCE: readonly CheckState[] = ['error', 'failure', 'pending'];

/** A release's `state` from its checks: error > failure > pending > success; no checks yet means pending. */
export const aggregateState = (checks: readonly CheckState[]): CheckState => {
  if (checks.length === 0) return 'pending';
  return PRECEDENCE.find((state) => checks.includes(state)) ?? 'success';
};
