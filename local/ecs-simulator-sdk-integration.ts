import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';

/**
 * Runs the rollout state machine's direct ECS integrations (`arn:aws:states:::aws-sdk:ecs:<action>`)
 * locally against the ECS SIMULATOR, the way Step Functions runs them in the cloud: PascalCase
 * parameters in, PascalCase result out, no SDK-level retries (the state's Retry decides), and failures
 * named `Ecs.<ErrorName>` so the same Retry/Catch ErrorEquals match locally and in AWS.
 * The handlers go into aws-local-stepfunctions' `overrides.taskResourceLocalHandlers`.
 */

export const ECS_SDK_RESOURCE_PREFIX = 'arn:aws:states:::aws-sdk:ecs:';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type EcsSdkTask = (parameters: unknown) => Promise<Json>;

const COMMANDS = {
  describeServices: DescribeServicesCommand,
  describeTaskDefinition: DescribeTaskDefinitionCommand,
  describeTasks: DescribeTasksCommand,
  listTasks: ListTasksCommand,
  registerTaskDefinition: RegisterTaskDefinitionCommand,
  updateService: UpdateServiceCommand,
} as const;
type EcsSdkAction = keyof typeof COMMANDS;

/** ECS members whose values are free-form maps: their keys are user data and keep their case. */
const MAP_MEMBERS = new Set(['dockerLabels', 'options', 'driverOpts', 'labels']);

const camel = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);
const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

const recase = (value: unknown, rename: (key: string) => string): unknown => {
  if (Array.isArray(value)) return value.map((item) => recase(item, rename));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [rename(key), MAP_MEMBERS.has(camel(key)) ? child : recase(child, rename)]),
  );
};

const isAction = (action: string): action is EcsSdkAction => action in COMMANDS;

/** One `aws-sdk:ecs:<action>` task, run through `client` (which should not retry on its own). */
export const ecsSdkTask = (resource: string, client: ECSClient): EcsSdkTask => {
  const action = resource.startsWith(ECS_SDK_RESOURCE_PREFIX) ? resource.slice(ECS_SDK_RESOURCE_PREFIX.length) : '';
  if (!isAction(action)) throw new Error(`The ECS simulator cannot run the task resource ${resource}.`);
  const Command = COMMANDS[action];
  return async (parameters) => {
    const input = recase(parameters, camel) as ConstructorParameters<typeof Command>[0];
    try {
      // Each command class accepts exactly its own input; the union of classes cannot express that pairing.
      const { $metadata: _metadata, ...output } = await client.send(new (Command as typeof DescribeServicesCommand)(input as never));
      // Through JSON, as Step Functions passes results on: timestamps become ISO strings.
      return JSON.parse(JSON.stringify(recase(output, pascal))) as Json;
    } catch (error) {
      if (!(error instanceof Error) || !('$metadata' in error)) throw error;
      const failure = new Error(error.message);
      failure.name = `Ecs.${error.name}`;
      throw failure;
    }
  };
};
