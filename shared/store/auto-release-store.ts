import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { entityOf, getStore, isConditionFailure, putIfAbsent } from './client';
import { autoReleaseMarkerKey } from './keys';

/**
 * The claim on a build's one auto-release. `release_id` is fixed when the claim is made, so whoever rolls a
 * stalled claim forward creates (or finds) that very release rather than a second one.
 */
export type AutoReleaseMarker = {
  app_id: string;
  build_id: string;
  release_id: string;
  status: 'claimed' | 'released';
  /** Epoch ms until which the claimant alone may create the release. */
  lease_until: number;
  release_version: number | null;
};


/** One conditional put: returns the marker if this caller now holds the claim, else the existing marker. */
export const claimAutoRelease = async (marker: AutoReleaseMarker): Promise<{ claimed: boolean; marker: AutoReleaseMarker }> => {
  if (await putIfAbsent({ ...autoReleaseMarkerKey(marker.app_id, marker.build_id), type: 'auto_release', ...marker })) {
    return { claimed: true, marker };
  }
  const existing = await findAutoReleaseMarker(marker.app_id, marker.build_id);
  if (!existing) throw new Error(`auto-release claim on build ${marker.build_id} was refused, yet no claim is stored`);
  return { claimed: false, marker: existing };
};

export const findAutoReleaseMarker = async (appId: string, buildId: string): Promise<AutoReleaseMarker | undefined> => {
  const { client, tableName } = getStore();
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: autoReleaseMarkerKey(appId, buildId), ConsistentRead: true }),
  );
  return Item ? entityOf<AutoReleaseMarker>(Item) : undefined;
};

/**
 * Moves the lease of a still-unreleased claim to `leaseUntil`, only if nobody changed it since `marker` was
 * read; so of several callers rolling a stalled claim forward, exactly one wins. Returns the new marker or
 * undefined if this caller lost.
 */
export const renewAutoReleaseLease = async (
  marker: AutoReleaseMarker,
  leaseUntil: number,
): Promise<AutoReleaseMarker | undefined> => {
  const { client, tableName } = getStore();
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: autoReleaseMarkerKey(marker.app_id, marker.build_id),
        UpdateExpression: 'SET lease_until = :next',
        ConditionExpression: '#status = :claimed AND lease_until = :seen',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':next': leaseUntil, ':claimed': 'claimed', ':seen': marker.lease_until },
      }),
    );
    return { ...marker, lease_until: leaseUntil };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

export const markAutoReleased = async (marker: AutoReleaseMarker, version: number): Promise<void> => {
  const { client, tableName } = getStore();
  await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: autoReleaseMarkerKey(marker.app_id, marker.build_id),
      UpdateExpression: 'SET #status = :released, release_version = :version',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':released': 'released', ':version': version },
    }),
  );
};
