/**
 * Live rollout progress from ECS's task state change events: which service a task belongs to, and when to read
 * the deployment's progress again so a burst of events (a 200-task service turns over 400 tasks) costs one read
 * and one write a second at most, yet the last change of a burst is never left unread.
 */

/** At most one progress read of a deployment per this many milliseconds. */
export const PROGRESS_READ_INTERVAL_MS = 1000;

/**
 * How long after a change a read is planned, at the earliest: room for the skew between ECS's clock and ours, and
 * for DescribeServices (eventually consistent) to catch up with the change an event reports.
 */
export const PROGRESS_READ_MARGIN_MS = 250;

/** ECS takes a name or a full ARN wherever a cluster or service is named; its events carry ARNs. */
export const ecsNameOf = (reference: string): string => reference.slice(reference.lastIndexOf('/') + 1);

const SERVICE_GROUP = 'service:';

/**
 * The service a task runs for, from its event's cluster ARN and task group: ECS puts a service's tasks in group
 * `service:<name>`. Null for any other task (RunTask's one-off tasks are in `family:<name>` or a group of the
 * caller's choosing), which no deployment counts.
 */
export const serviceOfTask = ({ clusterArn, group }: { clusterArn: string; group?: string | undefined }): { cluster: string; service: string } | null =>
  group?.startsWith(SERVICE_GROUP) && group.length > SERVICE_GROUP.length
    ? { cluster: ecsNameOf(clusterArn), service: group.slice(SERVICE_GROUP.length) }
    : null;

/**
 * When to read a deployment's progress for a change ECS made at `changedAt` (epoch ms), given the read planned last
 * (`plannedAt`, done or still to come; null: none yet): null when that read comes late enough to see the change;
 * otherwise the first moment from `now` that is late enough to see it and an interval past the planned one. A
 * clock far ahead of ours delays the read by one interval and the margin at most.
 */
export const nextProgressRead = (changedAt: number, plannedAt: number | null, now: number): number | null => {
  const seesChange = changedAt + PROGRESS_READ_MARGIN_MS;
  if (plannedAt !== null && plannedAt >= seesChange) return null;
  const next = Math.max(now, seesChange, plannedAt === null ? now : plannedAt + PROGRESS_READ_INTERVAL_MS);
  return Math.min(next, now + PROGRESS_READ_INTERVAL_MS + PROGRESS_READ_MARGIN_MS);
};
