import type {
  ContainerDefinition,
  Secret,
  DescribeTaskDefinitionResponse,
  KeyValuePair,
  RegisterTaskDefinitionRequest,
} from '@aws-sdk/client-ecs';
import type { ConfigVars } from '../domain/config-vars';
import { unprocessable } from '../domain/errors';

const RELEASE_ID_ENV = 'SLIPWAY_RELEASE_ID';
const RELEASE_VERSION_ENV = 'SLIPWAY_RELEASE_VERSION';

export type ReleaseRevision = {
  /** The app's `container`; null lets the task definition's shape decide. */
  container: string | null;
  image: string;
  releaseId: string;
  version: number;
  /** The release's config; null keeps the container's environment and secrets as the service has them. */
  config: ConfigVars | null;
};

/**
 * Picks the container that runs the app. With no name configured, only an unambiguous choice is made:
 * the single container, or the single essential one (sidecars such as log routers are usually not
 * essential). Guessing among several essential containers could ship the image into the wrong one.
 */
export const targetContainerName = (containers: readonly ContainerDefinition[], requested: string | null): string => {
  const names = containers.map((container) => container.name ?? '');
  if (requested !== null) {
    if (names.includes(requested)) return requested;
    throw unprocessable('container_not_found', `The task definition has no container named '${requested}'.`, {
      container: requested,
      containers: names,
    });
  }
  if (containers.length === 1 && names[0]) return names[0];
  // ECS treats a container without an explicit `essential` flag as essential.
  const essential = containers.filter((container) => container.essential !== false);
  if (essential.length === 1 && essential[0]?.name) return essential[0].name;
  throw unprocessable(
    'ambiguous_container',
    'The task definition has several candidate containers; set the app\'s "container" to choose one.',
    { containers: names },
  );
};

const withReleaseEnvironment = (
  environment: readonly KeyValuePair[] | undefined,
  revision: ReleaseRevision,
): KeyValuePair[] => [
  ...(environment ?? []).filter((entry) => entry.name !== RELEASE_ID_ENV && entry.name !== RELEASE_VERSION_ENV),
  { name: RELEASE_ID_ENV, value: revision.releaseId },
  { name: RELEASE_VERSION_ENV, value: String(revision.version) },
];

/**
 * The container's environment and secrets for a release: exactly its config (plain vars as environment,
 * secrets as references ECS resolves at task start, never as values), plus SLIPWAY_RELEASE_*.
 */
const releaseEnvironment = (
  container: ContainerDefinition,
  revision: ReleaseRevision,
): Pick<ContainerDefinition, 'environment' | 'secrets'> => {
  if (revision.config === null) {
    return { environment: withReleaseEnvironment(container.environment, revision), secrets: container.secrets };
  }
  const entries = Object.entries(revision.config);
  const environment = entries.flatMap(([name, entry]): KeyValuePair[] => (entry.secret ? [] : [{ name, value: entry.value }]));
  const secrets = entries.flatMap(([name, entry]): Secret[] => (entry.secret ? [{ name, valueFrom: entry.value_from }] : []));
  return { environment: withReleaseEnvironment(environment, revision), secrets: secrets.length > 0 ? secrets : undefined };
};

/**
 * The RegisterTaskDefinition input for a release: the service's current revision copied field by field,
 * with only the target container's image and release environment changed, so everything else an
 * operator configured (roles, sidecars, volumes, sizing, tags) carries over to the new revision.
 */
export const releaseTaskDefinitionInput = (
  described: Pick<DescribeTaskDefinitionResponse, 'taskDefinition' | 'tags'>,
  revision: ReleaseRevision,
): RegisterTaskDefinitionRequest => {
  const current = described.taskDefinition;
  const containers = current?.containerDefinitions ?? [];
  if (!current?.family || containers.length === 0) {
    throw unprocessable('task_definition_incomplete', 'The service\'s task definition has no family or no containers.', {
      task_definition: current?.taskDefinitionArn ?? null,
    });
  }
  const target = targetContainerName(containers, revision.container);
  const containerDefinitions = containers.map((container) =>
    container.name === target
      ? { ...container, image: revision.image, ...releaseEnvironment(container, revision) }
      : container,
  );
  const copied: RegisterTaskDefinitionRequest = {
    family: current.family,
    containerDefinitions,
    taskRoleArn: current.taskRoleArn,
    executionRoleArn: current.executionRoleArn,
    networkMode: current.networkMode,
    volumes: current.volumes,
    placementConstraints: current.placementConstraints,
    requiresCompatibilities: current.requiresCompatibilities,
    cpu: current.cpu,
    memory: current.memory,
    pidMode: current.pidMode,
    ipcMode: current.ipcMode,
    proxyConfiguration: current.proxyConfiguration,
    inferenceAccelerators: current.inferenceAccelerators,
    ephemeralStorage: current.ephemeralStorage,
    runtimePlatform: current.runtimePlatform,
    enableFaultInjection: current.enableFaultInjection,
    // Tags come back beside the task definition, and only when asked for with include: ['TAGS'].
    tags: described.tags?.length ? described.tags : undefined,
  };
  return Object.fromEntries(
    Object.entries(copied).filter(([, value]) => value !== undefined),
  ) as RegisterTaskDefinitionRequest;
};
