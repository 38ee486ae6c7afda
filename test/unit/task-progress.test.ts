import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../local/event-pattern';
import { TASK_EVENT_PATTERN } from '../../shared/rollout/contract';
import { PROGRESS_READ_INTERVAL_MS, PROGRESS_READ_MARGIN_MS, nextProgressRead, serviceOfTask } from '../../shared/domain/task-progress';

const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';

describe('the service a task event belongs to', () => {
  it('is named by the task group ECS gives a service’s tasks, in the cluster of the event', () => {
    expect(serviceOfTask({ clusterArn: CLUSTER, group: 'service:web' })).toEqual({ cluster: 'prod', service: 'web' });
  });

  it('is none for a one-off task (RunTask: family:<name>, or a group of the caller’s), so a release phase moves no counts', () => {
    expect(serviceOfTask({ clusterArn: CLUSTER, group: 'family:web' })).toBeNull();
    expect(serviceOfTask({ clusterArn: CLUSTER, group: 'migrations' })).toBeNull();
    expect(serviceOfTask({ clusterArn: CLUSTER })).toBeNull();
    expect(serviceOfTask({ clusterArn: CLUSTER, group: 'service:' })).toBeNull();
  });
});

describe('when to read a deployment’s progress for a task event', () => {
  const now = 1_000_000;

  it('reads just after the first change, leaving ECS a moment to report it', () => {
    expect(nextProgressRead(now, null, now)).toBe(now + PROGRESS_READ_MARGIN_MS);
  });

  it('leaves a change to a read already planned that comes late enough to see it', () => {
    expect(nextProgressRead(now, now + PROGRESS_READ_MARGIN_MS, now)).toBeNull();
    expect(nextProgressRead(now - 5000, now - 4000, now)).toBeNull();
  });

  it('plans a change the planned read would miss an interval after that read: one read a second at most', () => {
    const planned = now + 100;
    expect(nextProgressRead(now, planned, now)).toBe(planned + PROGRESS_READ_INTERVAL_MS);
    // A change long after the last read is read at once (after the margin).
    expect(nextProgressRead(now, now - 10_000, now)).toBe(now + PROGRESS_READ_MARGIN_MS);
  });

  it('paces a burst of 400 changes over 4 s to a handful of reads, the last one after the last change', () => {
    let planned: number | null = null;
    const reads: number[] = [];
    for (let index = 0; index < 400; index++) {
      const at = now + index * 10;
      const read = nextProgressRead(at, planned, at);
      if (read !== null) {
        reads.push(read);
        planned = read;
      }
    }
    expect(reads.length).toBeLessThanOrEqual(5);
    for (const [index, read] of reads.entries()) if (index > 0) expect(read - reads[index - 1]!).toBeGreaterThanOrEqual(PROGRESS_READ_INTERVAL_MS);
    expect(reads.at(-1)).toBeGreaterThanOrEqual(now + 399 * 10 + PROGRESS_READ_MARGIN_MS);
  });

  it('waits no longer than an interval and the margin for a change stamped by a clock running ahead', () => {
    expect(nextProgressRead(now + 60_000, null, now)).toBe(now + PROGRESS_READ_INTERVAL_MS + PROGRESS_READ_MARGIN_MS);
  });
});

describe('the rule for ECS task state changes', () => {
  const event = (detail: Record<string, unknown>) => ({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { clusterArn: CLUSTER, ...detail } });

  it('lets through a service’s tasks turning RUNNING or STOPPED', () => {
    expect(matchesPattern(TASK_EVENT_PATTERN, event({ group: 'service:web', lastStatus: 'RUNNING' }))).toBe(true);
    expect(matchesPattern(TASK_EVENT_PATTERN, event({ group: 'service:web', lastStatus: 'STOPPED' }))).toBe(true);
  });

  it('keeps out the steps between, one-off tasks and other events', () => {
    expect(matchesPattern(TASK_EVENT_PATTERN, event({ group: 'service:web', lastStatus: 'PENDING' }))).toBe(false);
    expect(matchesPattern(TASK_EVENT_PATTERN, event({ group: 'family:web', lastStatus: 'RUNNING' }))).toBe(false);
    expect(matchesPattern(TASK_EVENT_PATTERN, { ...event({ group: 'service:web', lastStatus: 'RUNNING' }), 'detail-type': 'ECS Deployment State Change' })).toBe(false);
  });
});
