import { randomUUID } from 'node:crypto';
import type { Actor, Release, StatusCheck } from '../domain/model';
import { addStatusCheck, requireStatusCheck, updateStatusCheck, type NewStatusCheck, type StatusCheckPatch } from '../domain/status-checks';
import { mutateRelease } from '../store/releases-store';

/**
 * Status writes go through `mutateRelease`: each is a read-modify-write of the whole checks map conditioned
 * on the release's revision, with `state` recomputed from that same map, so concurrent posts never lose a
 * check and `state` can never disagree with the checks it is stored beside.
 */
export const postStatus = async (
  release: Release,
  request: NewStatusCheck,
  actor: Actor,
): Promise<{ release: Release; status: StatusCheck }> => {
  const id = randomUUID();
  const updated = await mutateRelease(
    release.app.id,
    release.version,
    (latest) => addStatusCheck(latest, request, id, new Date().toISOString()),
    actor,
  );
  return { release: updated, status: requireStatusCheck(updated, request.context) };
};

export const patchStatus = async (
  release: Release,
  context: string,
  request: StatusCheckPatch,
  actor: Actor,
): Promise<{ release: Release; status: StatusCheck }> => {
  const updated = await mutateRelease(
    release.app.id,
    release.version,
    (latest) => updateStatusCheck(latest, context, request, new Date().toISOString()),
    actor,
  );
  return { release: updated, status: requireStatusCheck(updated, context) };
};
