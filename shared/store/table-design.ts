/**
 * The single-table layout, used by both the CDK stack and the local dynalite bootstrap so they cannot drift.
 *
 *   pk                 sk                          what
 *   APPS               APP#{name}                  app (create = conditional put on the name); carries the
 *                                                  `current` pointer with its release's build id and, while
 *                                                  a rollout settles, the version announced as succeeding
 *   APP#{appId}        BUILD#{buildId}             build; lsi1sk BUILDAT#{created_at}#{id} lists them by time
 *   APP#{appId}        REL#{version, 10 digits}    release; the key is the version slot (written once, by a
 *                                                  conditional put, after the version was claimed);
 *                                                  lsi1sk RELID#{id} finds it by id with a consistent read
 *                                                  gsi2pk RELSTATUS#{appId}#{status}, gsi2sk REL#{version}
 *                                                  lists an app's releases by status; the update that
 *                                                  changes the status moves it (a status changes, so it
 *                                                  cannot live in a row written once)
 *   APP#{appId}        RIX#{dim}#{value}#{version}  index row of a release: dim build, ci_build (the build's
 *                                                  CI id), revision, version (label), trigger or at (created_at); value URI-encoded;
 *                                                  holds release_id and version. Written before the
 *                                                  release takes its slot, never changed: filters are
 *                                                  strongly consistent key-range Queries in the app's
 *                                                  partition, and need no new index on the table
 *   APP#{appId}        RELEASE_SEQUENCE            the app's version sequence: last_version, and claims
 *                                                  {releaseId: version} not yet in their slot (set in the
 *                                                  same update that takes the number), claimed_at,
 *                                                  revoked {releaseId: at} for claims given up, and
 *                                                  placed {releaseId: {version, at}} for releases placed
 *                                                  lately (a late claim under the same id meets them)
 *   APP#{appId}        RELEASE_INTENT#{releaseId}  a release waiting for its version, whole: whoever finds
 *                                                  its claim stale places it (see release-claims-store.ts)
 *   APP#{appId}        CONFIG#{version, 10 digits} a config version: the app's config vars (secrets as their store's
 *                                                  reference only), immutable; the next one is a conditional put on
 *                                                  the next version, so concurrent changes queue and lose no key;
 *                                                  made by a change or a rollback (its release id), at most one
 *                                                  per change: lsi1sk CONFIGCHANGE#{change id} finds it with a
 *                                                  consistent read (see appendConfigVersion); gsi1pk
 *                                                  ID#{change id}, gsi1sk CONFIG finds it too, eventually
 *   APP#{appId}        ROLLOUT_LOCK                the app's single in-flight rollout: holder release (id,
 *                                                  version, expiry, the execution running it: its id or a
 *                                                  numbered rerun) taken and handed over by conditional
 *                                                  update; never deleted, as settled_through (every release
 *                                                  at or below it has left the queue) starts the queue search;
 *                                                  rescue_release_id/rescue_version name the newest rollback,
 *                                                  which every release below it gives way to (markRescue)
 *   APP#{appId}        ROLLOUT_WAITER#{version}    task token of a queued release's parked Lock step
 *   ECSDEPLOY#{id}     ROLLOUT                     an ECS deployment's release and the task token waiting
 *                                                  for it to end, for the ECS event handler
 *   ECSSERVICE#{c}/{s} ROLLOUT                     the deployment a rollout last watched on cluster c's service s
 *                                                  (both as names), written with its ECSDEPLOY item, for the task
 *                                                  event handler; progress_read_at: the latest read of its progress
 *                                                  planned (epoch ms), which a conditional update moves on, so
 *                                                  a burst of task events makes at most one read a second; left
 *                                                  in place when the rollout ends (the next one overwrites it)
 *   ECSTASK#{taskArn}  RELEASE_PHASE               a release phase's one-off task: its release and the task
 *                                                  token waiting for it to stop, for the ECS task event handler
 *   APP#{appId}        COUPLING                    the app's pipeline coupling: keyed by the app, so "one
 *                                                  pipeline per app" is a conditional put; gsi2pk
 *                                                  PIPELINE#{pipelineId}, gsi2sk COUPLING#{stage index}#{app}
 *                                                  lists a pipeline's couplings in stage order in one Query;
 *                                                  uncoupling turns it into a tombstone (`removed_at`, no
 *                                                  gsi1/gsi2) carrying pipeline.uncoupled until relayed
 *   APP#{appId}        AUTOREL#{buildId}           claim on a build's single auto-release: fixes the release
 *                                                  id and holds a lease so a retry can roll a crash forward
 *   PIPELINES          PIPELINE#{name}             pipeline (create = conditional put on the name)
 *   PROMOTION#{id}     PROMOTION                   pipeline promotion: per target the release it got (its id
 *                                                  derived from promotion and app) or why none; while targets
 *                                                  remain to be released it holds a lease; until its end is
 *                                                  recorded (finished_at, with promotion.finished) it sits in the
 *                                                  sparse gsi2pk OPEN_PROMOTIONS (gsi2sk {created_at}#{id}) for
 *                                                  the reconciler
 *   APIKEY#{sha256}    APIKEY                      API key: its hash and grants, never the key; gsi2pk APIKEYS
 *                                                  lists keys (and finds one by id); never on gsi1, so that
 *                                                  IAM can keep every function but the key routes' off them
 *   IDEMPOTENCY#{h}    IDEMPOTENCY                 Idempotency-Key record, h = sha256 of (caller, route, resource,
 *                                                  key): request hash, the id fixed for what it makes, status,
 *                                                  lease; TTL `expiration`, except for a payload's own key (a
 *                                                  route that takes the same body again as a retry): kept for good
 *   APP#{appId}        HOST#{host}                 an external app's host (URI-encoded) and the release its latest
 *                                                  reported deployment put there (release_id, version, at): a
 *                                                  conditional put keeps the latest; a Query of the prefix counts
 *                                                  the hosts running each release
 *   SIGNAL#{id}        SIGNAL_RELEASE              an Echoes-style release declaration: version, commits, and per
 *                                                  deliverable the app with the ids of the build and recorded
 *                                                  release made there (derived from the id), written before them
 *   APP#{appId}        HOOK#{hookId}               webhook/integration: url, kind, events, options and its
 *                                                  secret sealed (KMS in AWS, a local key file locally) with
 *                                                  its encoding (absent: a secret stored before Standard
 *                                                  Webhooks, keyed by its text); during a rotation the
 *                                                  previous secret too, until previous_secret_expires_at
 *   HOOK#{hookId}      DELIVERY#{eventId}          a hook's delivery of one event (a conditional put, so an event
 *                                                  handed over twice is delivered once): the envelope, the count
 *                                                  of attempts and the newest 20 (`log`; items from before it
 *                                                  have `last` only), outcome, next attempt; lsi1sk
 *                                                  DELIVERYAT#{created_at}#{eventId} pages the hook's log by time
 *   …                  …                           gsi1pk ID#{id} finds any resource by id alone
 *   (release, build,   `outbox`                    events the item's last changes announce, not yet published:
 *    promotion,                                    appended by the same conditional write as the change, removed
 *    coupling)                                     once published; while any is pending the item sits in the
 *                                                  sparse gsi3pk OUTBOX (gsi3sk = commit time) for the sweeper
 *
 * Inside maps (config vars, metadata, options, checks, a delivery's envelope) the keys `constructor` and
 * `__proto__`, which the document client's marshaller cannot carry, are stored escaped as `␛constructor`
 * and `␛__proto__` (and a key starting with `␛` gets one more); the client escapes and unescapes every
 * request and answer (map-keys.ts), so entities never see it.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  localIndexes: [{ name: 'lsi1', sortKey: 'lsi1sk' }],
  globalIndexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;

/** Where API-key items live: the partition of each key's hash, and the gsi2 partition listing them. */
export const API_KEY_PARTITIONS = { itemPrefix: 'APIKEY#', listIndex: 'gsi2', listPartition: 'APIKEYS' } as const;

export const KEY_ATTRIBUTES = ['pk', 'sk', 'lsi1sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'type'] as const;

/** Storage-only attributes an entity never carries: the pending events of its outbox. */
export const OUTBOX_ATTRIBUTE = 'outbox';

/**
 * Marks a tombstone: an item removed by a change (an uncoupling) but kept, out of every other index, only
 * to carry the events of its removal; the relay deletes it once they are published. Readers skip it.
 */
export const TOMBSTONE_ATTRIBUTE = 'removed_at';

export const DEFAULT_TABLE_NAME = 'slipway';

/** Items with this attribute (epoch seconds) expire by DynamoDB TTL: idempotency records, so finished keys need no cleanup. */
export const TTL_ATTRIBUTE = 'expiration';
