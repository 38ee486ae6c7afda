import { PING_EVENT_TYPE, type Hook, type HookEvent } from '../domain/hooks';
import { SIGNATURE_HEADER, STANDARD_HEADERS, signatureHeader, standardHeaders, type SigningSecret } from '../domain/webhook-signature';

/** One HTTP request a delivery makes; an integration may need more than one (Sentry: release, then deploy). */
export type OutboundRequest = { method: 'POST'; url: string; headers: Record<string, string>; body: string };

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': 'Slipway-Hookshot/1' };

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** "web v12 release.succeeded: Deploy 1a2b3c4" — what a person reads in Slack or on a Grafana panel. */
const headline = (event: HookEvent): string => {
  const version = text(event.data.version);
  const subject = [event.app?.name ?? 'slipway', version ? `v${version}` : ''].filter(Boolean).join(' ');
  const description = text(event.data.description);
  return `${subject} ${event.type}${description ? `: ${description}` : ''}`;
};

/** What a gate waits for, as a Slack section: the checks and approval it lacks, and when it rolls the release back. */
const gateBlocks = (event: HookEvent): Record<string, unknown>[] => {
  const rollout = event.data.rollout;
  const gate = rollout && typeof rollout === 'object' && 'gate' in rollout ? (rollout.gate as { waiting_for?: unknown; until?: unknown } | null) : null;
  if (!gate || !Array.isArray(gate.waiting_for)) return [];
  const until = textOrNull(gate.until);
  const waiting = `Waiting for ${gate.waiting_for.map(String).join(', ')}${until ? ` until ${until}` : ''}: approve it (\`slipway releases:approve\`) or abort it (\`slipway releases:abort\`), or on the dashboard.`;
  return [{ type: 'section', text: { type: 'mrkdwn', text: slackEscaped(waiting) } }];
};

/**
 * Text for a Slack mrkdwn or plain field, as Slack's formatting rules ask: `&`, `<` and `>` are its control
 * characters (links, mentions such as `<!channel>`), so each becomes its HTML entity and shows as itself.
 */
const slackEscaped = (value: string): string => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Sentry and Bugsnag know releases by a version string; Slipway's is the app's release number. */
const releaseVersion = (event: HookEvent): string => `${event.app?.name ?? 'slipway'}@v${text(event.data.version)}`;

const joinPath = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

const post = (url: string, body: unknown, headers: Record<string, string> = {}): OutboundRequest => ({
  method: 'POST',
  url,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/**
 * A hook's secrets, opened: the current one (a webhook's signing secret, or the vendor's token) and, while a
 * rotation's window lasts, the previous signing secret.
 */
export type OpenSecrets = { current: SigningSecret | null; previous: SigningSecret | null };

/** What a delivery knows beyond the event: the repository of the release's build (source control links). */
export type DeliveryContext = { repository: string | null };

type Shaper = (hook: Hook, secret: string | null, event: HookEvent, context: DeliveryContext, nowSeconds: number, secrets: OpenSecrets) => OutboundRequest[];

const bearer = (secret: string | null): Record<string, string> => (secret ? { authorization: `Bearer ${secret}` } : {});

type ShippedCommit = { sha: string; author: string | null; committed_at: string | null; message: string | null };

/** The parts of a release event's data (a Release as the API shows it) the vendors take, read defensively. */
const releaseOf = (event: HookEvent) => {
  const data = event.data;
  const build = (typeof data.build === 'object' && data.build !== null ? data.build : {}) as Record<string, unknown>;
  const commits: ShippedCommit[] = (Array.isArray(data.commits) ? data.commits : []).flatMap((entry: unknown) => {
    const commit = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const sha = textOrNull(commit.sha);
    return sha ? [{ sha, author: textOrNull(commit.author), committed_at: textOrNull(commit.committed_at), message: textOrNull(commit.message) }] : [];
  });
  return {
    version: text(data.version),
    status: text(data.status),
    description: text(data.description),
    startedAt: textOrNull(data.started_at),
    finishedAt: textOrNull(data.finished_at) ?? event.time,
    commit: textOrNull(build.commit) ?? commits[0]?.sha ?? null,
    commits,
  };
};

/** A commit's author as its build gave it: `Name <email>`, or a name alone. */
const authorOf = (author: string | null): { name: string | null; email: string | null } => {
  const match = author ? /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(author) : null;
  return match ? { name: match[1] || null, email: match[2] ?? null } : { name: author, email: null };
};

/** What the release ships, one commit a line (`1a2b3c4 Fix the cart`), bounded for a vendor's text field. */
const changelogOf = (commits: readonly ShippedCommit[], maxLength: number): string | null => {
  if (commits.length === 0) return null;
  const lines = commits.map((commit) => `${commit.sha.slice(0, 12)} ${(commit.message ?? '').split('\n')[0]}`.trim());
  const joined = lines.join('\n');
  return joined.length <= maxLength ? joined : `${joined.slice(0, maxLength - 1)}…`;
};

/** The dashboard's page of the release, when the hook says where the dashboard is (option `dashboard_url`). */
const deepLinkOf = (hook: Hook, event: HookEvent, version: string): string | null => {
  const base = hook.options.dashboard_url;
  if (!base || !event.app) return null;
  return `${base.replace(/[/#]+$/, '')}/#/apps/${encodeURIComponent(event.app.name)}/releases/${encodeURIComponent(version)}`;
};

/**
 * How each release is deployed, in New Relic's deployment types: an ECS rolling update replaces tasks batch by
 * batch. (CANARY and BLUE_GREEN fit once a release can be deployed so.)
 */
const deploymentTypeOf = (_event: HookEvent): 'ROLLING' => 'ROLLING';

/**
 * Vendor request shapes, from each vendor's public API documentation. An integration is sent only the events
 * its kind takes (KIND_EVENTS in shared/domain/hooks.ts): the vendors below that record deploys see only
 * releases that succeeded.
 * - generic: the envelope, signed as Standard Webhooks say (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
 *   and for a hook made before that, also with the legacy `Slipway-Signature`;
 * - Grafana: `POST /api/annotations` `{time (ms), text, tags}`, service account token as Bearer; `url` is Grafana's root;
 * - Sentry: `POST /api/0/organizations/{org}/releases/` `{version, projects, dateReleased, ref, commits}` then
 *   `.../releases/{version}/deploys/` `{environment, name, dateStarted, dateFinished, url}`, auth token as Bearer;
 *   `url` is the organization's API root;
 * - Slack: the incoming webhook URL itself, `{text, blocks}`, every text escaped; the URL is the credential;
 * - New Relic: NerdGraph `POST /graphql`, `API-Key` header, `changeTrackingCreateDeployment(deployment: {entityGuid,
 *   version, deploymentType, commit, changelog, deepLink, ...})`;
 * - Bugsnag: Build API `POST /` `{apiKey, appVersion, releaseStage, builderName, sourceControl, metadata}`; the key
 *   travels in the body.
 */
const SHAPERS: Record<Hook['kind'], Shaper> = {
  webhook: (hook, _token, event, _context, nowSeconds, secrets) => {
    const body = JSON.stringify(event);
    const keys = [secrets.current, secrets.previous].flatMap((secret) => (secret ? [secret.key] : []));
    const legacy: Record<string, string> = hook.legacy_signature
      ? {
          'slipway-event': event.type,
          'slipway-event-id': event.id,
          ...(secrets.current ? { [SIGNATURE_HEADER]: signatureHeader(secrets.current.text, nowSeconds, body) } : {}),
        }
      : {};
    const signed =
      keys.length > 0 ? standardHeaders(keys, event.id, nowSeconds, body) : { [STANDARD_HEADERS.id]: event.id, [STANDARD_HEADERS.timestamp]: String(nowSeconds) };
    return [{ method: 'POST', url: hook.url, headers: { ...JSON_HEADERS, ...signed, ...legacy }, body }];
  },
  grafana: (hook, secret, event) => {
    const release = releaseOf(event);
    return [
      post(
        joinPath(hook.url, 'api/annotations'),
        {
          time: Date.parse(event.time),
          text: headline(event),
          tags: [
            'slipway',
            event.type,
            ...(event.app ? [`app:${event.app.name}`] : []),
            ...(release.version ? [`version:v${release.version}`] : []),
            ...(release.status ? [`status:${release.status}`] : []),
            ...(hook.options.tags?.split(',') ?? []),
          ],
          ...(hook.options.dashboard_uid ? { dashboardUID: hook.options.dashboard_uid } : {}),
        },
        bearer(secret),
      ),
    ];
  },
  sentry: (hook, secret, event, context) => {
    const version = releaseVersion(event);
    const release = releaseOf(event);
    const repository = hook.options.repository ?? context.repository;
    const shipped: ShippedCommit[] = release.commits.length > 0 ? release.commits : release.commit ? [{ sha: release.commit, author: null, committed_at: null, message: null }] : [];
    const commits = shipped.map((commit) => {
      const author = authorOf(commit.author);
      return {
        id: commit.sha,
        ...(repository ? { repository } : {}),
        ...(author.name ? { author_name: author.name } : {}),
        ...(author.email ? { author_email: author.email } : {}),
        ...(commit.message ? { message: commit.message } : {}),
        ...(commit.committed_at ? { timestamp: commit.committed_at } : {}),
      };
    });
    const releases = joinPath(hook.url, 'releases/');
    const link = deepLinkOf(hook, event, release.version);
    return [
      post(
        releases,
        {
          version,
          projects: [hook.options.project],
          dateReleased: release.finishedAt,
          ...(release.commit ? { ref: release.commit } : {}),
          ...(commits.length > 0 ? { commits } : {}),
        },
        bearer(secret),
      ),
      post(
        joinPath(releases, `${encodeURIComponent(version)}/deploys/`),
        {
          environment: hook.options.environment ?? 'production',
          name: `${event.app?.name ?? 'slipway'} v${release.version}`,
          ...(release.startedAt ? { dateStarted: release.startedAt } : {}),
          dateFinished: release.finishedAt,
          ...(link ? { url: link } : {}),
        },
        bearer(secret),
      ),
    ];
  },
  slack: (hook, _secret, event) => {
    const title = slackEscaped(event.type === PING_EVENT_TYPE ? `Slipway: a test message from a hook of ${event.app?.name ?? 'slipway'} (ping)` : headline(event));
    return [
      post(hook.url, {
        text: title,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
          ...gateBlocks(event),
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: slackEscaped(`${event.time}${event.actor?.email ? ` · ${event.actor.email}` : ''}`) }],
          },
        ],
      }),
    ];
  },
  newrelic: (hook, secret, event) => {
    const release = releaseOf(event);
    const changelog = changelogOf(release.commits, 4000);
    const link = deepLinkOf(hook, event, release.version);
    return [
      post(
        joinPath(hook.url, 'graphql'),
        {
          query:
            'mutation Deploy($deployment: ChangeTrackingDeploymentInput!) { changeTrackingCreateDeployment(deployment: $deployment) { deploymentId } }',
          variables: {
            deployment: {
              entityGuid: hook.options.entity_guid,
              version: releaseVersion(event),
              description: headline(event),
              user: event.actor?.email || 'slipway',
              timestamp: Date.parse(release.finishedAt),
              deploymentType: deploymentTypeOf(event),
              ...(release.commit ? { commit: release.commit } : {}),
              ...(changelog ? { changelog } : {}),
              ...(link ? { deepLink: link } : {}),
            },
          },
        },
        secret ? { 'api-key': secret } : {},
      ),
    ];
  },
  bugsnag: (hook, secret, event, context) => {
    const release = releaseOf(event);
    const repository = hook.options.repository ?? context.repository;
    return [
      post(hook.url, {
        apiKey: secret ?? '',
        appVersion: releaseVersion(event),
        releaseStage: hook.options.release_stage ?? 'production',
        builderName: event.actor?.email || 'slipway',
        ...(repository && release.commit
          ? {
              sourceControl: {
                ...(hook.options.source_control_provider ? { provider: hook.options.source_control_provider } : {}),
                repository,
                revision: release.commit,
              },
            }
          : {}),
        metadata: { event: event.type, event_id: event.id, release: `v${release.version}` },
      }),
    ];
  },
};

/** Integrations that link to source control, and so want the repository of the release's build. */
export const NEEDS_REPOSITORY: ReadonlySet<Hook['kind']> = new Set(['sentry', 'bugsnag']);

/** The requests that deliver `event` to `hook`, in order, with its secrets opened. */
export const requestsFor = (hook: Hook, secrets: OpenSecrets, event: HookEvent, nowSeconds: number, context: DeliveryContext = { repository: null }): OutboundRequest[] =>
  SHAPERS[hook.kind](hook, secrets.current?.text ?? null, event, context, nowSeconds, secrets);
