import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { fromStepFunctionsCase, toStepFunctionsCase } from '../../shared/ecs/step-functions-casing';

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
  describeServiceDeployments: DescribeServiceDeploymentsCommand,
  describeServices: DescribeServicesCommand,
  describeTaskDefinition: DescribeTaskDefinitionCommand,
  describeTasks: DescribeTasksCommand,
  listTasks: ListTasksCommand,
  registerTaskDefinition: RegisterTaskDefinitionCommand,
  stopServiceDeployment: StopServiceDeploymentCommand,
  updateService: UpdateServiceCommand,
} as const;
type EcsSdkAction = keyof typeof COMMANDS;

const isAction = (action: string): action is EcsSdkAction => action in COMMANDS;

/** One `aws-sdk:ecs:<action>` task, run through `client` (which should not retry on its own). */
export const ecsSdkTask = (resource: string, client: ECSClient): EcsSdkTask => {
  const action = resource.startsWith(ECS_SDK_RESOURCE_PREFIX) ? resource.slice(ECS_SDK_RESOURCE_PREFIX.length) : '';
  if (!isAction(action)) throw new Error(`The ECS simulator cannot run the task resource ${resource}.`);
  const Command = COMMANDS[action];
  return async (parameters) => {
    const input = fromStepFunctionsCase(parameters) as ConstructorParameters<typeof Command>[0];
    try {
      // Each command class accepts exactly its own input; the union of classes cannot express that pairing.
      const { $metadata: _metadata, ...output } = await client.send(new (Command as typeof DescribeServicesCommand)(input as never));
      // Through JSON, as Step Functions passes results on: timestamps become ISO strings.
      return JSON.parse(JSON.stringify(toStepFunctionsCase(output))) as Json;
    } catch (error) {
      if (!(error instanceof Error) || !('$metadata' in error)) throw error;
      const failure = new Error(error.message);
      failure.name = `Ecs.${error.name}`;
      throw failure;
    }
  };
};
