import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rollout, type RolloutStep } from '../infra/rollout';

export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT = '000000000000';

/** The local ARN a rollout step Lambda is known by inside the emulated state machine. */
export const localStepArn = (step: RolloutStep): string =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:slipway-rollout-${step}`;

export type SynthesizedRollout = {
  /** The Amazon States Language exactly as the CDK app deploys it, with its ARNs resolved locally. */
  definition: Record<string, unknown>;
  /** Local Lambda ARN (as it appears in the definition) to the step it runs. */
  steps: ReadonlyMap<string, RolloutStep>;
};

type Intrinsic = { 'Fn::Join'?: [string, unknown[]]; 'Fn::GetAtt'?: [string, string]; Ref?: string };

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Synthesizes the real Rollout construct in-process (bundling skipped: nothing is deployed) and takes
 * its state machine's DefinitionString from the template, so the local run executes the very ASL the
 * cloud runs. Only the tokens CloudFormation would fill in are resolved: function ARNs and pseudo
 * parameters; anything else is a construct change the emulator must learn about, so it fails loudly.
 */
export const synthesizeRolloutDefinition = (): SynthesizedRollout => {
  // Synthesis takes seconds and its result cannot change within a process.
  synthesized ??= synthesize();
  return synthesized;
};

let synthesized: SynthesizedRollout | undefined;

const synthesize = (): SynthesizedRollout => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'SlipwayLocalRollout');
  const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const rollout = new Rollout(stack, 'Rollout', { table });
  const stepOfLogicalId = new Map<string, RolloutStep>(
    (Object.entries(rollout.steps) as [RolloutStep, Rollout['steps'][RolloutStep]][]).map(([step, fn]) => [
      stack.getLogicalId(fn.node.defaultChild as CfnElement),
      step,
    ]),
  );
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString?: unknown } }>;
  };
  const stateMachines = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (stateMachines.length !== 1) throw new Error(`expected one rollout state machine, found ${stateMachines.length}`);

  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const intrinsic = value as Intrinsic;
    if (intrinsic['Fn::Join']) {
      const [separator, parts] = intrinsic['Fn::Join'];
      return parts.map(resolve).join(separator);
    }
    if (intrinsic['Fn::GetAtt']) {
      const [logicalId, attribute] = intrinsic['Fn::GetAtt'];
      const step = stepOfLogicalId.get(logicalId);
      if (step && attribute === 'Arn') return localStepArn(step);
    }
    const pseudo = intrinsic.Ref ? PSEUDO_PARAMETERS[intrinsic.Ref] : undefined;
    if (pseudo) return pseudo;
    throw new Error(`the local rollout cannot resolve ${JSON.stringify(value)} in the state machine definition`);
  };
  const definition = JSON.parse(resolve(stateMachines[0]?.Properties.DefinitionString)) as Record<string, unknown>;
  return {
    definition,
    steps: new Map([...stepOfLogicalId.values()].map((step) => [localStepArn(step), step])),
  };
};
