import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createSlipwayApp } from '../../infra/slipway-app';
import { synthesizeRolloutDefinition } from '../../local/rollout-definition';
import { DEFAULT_DEADLINE_SECONDS } from '../../shared/domain/rollout';

const synthesize = (context: Record<string, unknown>) =>
  Template.fromStack(createSlipwayApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).stack);

describe('the rollout construct', () => {
  it('hears deployment events of every service, or of the named clusters only', () => {
    const anyCluster = Object.values(synthesize({}).findResources('AWS::Events::Rule'))[0]?.Properties.EventPattern;
    expect(anyCluster.resources).toBeUndefined();
    // Deployments' state changes resume a rollout; hooks awaiting action (bakes, gates) are answered at once.
    expect(anyCluster['detail-type']).toEqual(['ECS Deployment State Change', 'ECS Hook State Change']);

    const scoped = synthesize({ 'slipway:clusters': 'prod,staging' });
    scoped.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        resources: [
          { prefix: { 'Fn::Join': ['', Match.arrayWith([':service/prod/'])] } },
          { prefix: { 'Fn::Join': ['', Match.arrayWith([':service/staging/'])] } },
        ],
      }),
    });
  });

  it('times an execution out a little after the rollout deadline, so a stuck one ends and its alarm can fire', () => {
    const definition = synthesizeRolloutDefinition().definition as { TimeoutSeconds?: number; States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }> };
    expect(definition.TimeoutSeconds).toBeGreaterThan(DEFAULT_DEADLINE_SECONDS);
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(DEFAULT_DEADLINE_SECONDS + 30 * 60);
    const throttleRetry = definition.States.UpdateService?.Retry?.find((retrier) => retrier.ErrorEquals.includes('Ecs.ThrottlingException'));
    expect(throttleRetry?.ErrorEquals).toContain('Ecs.ServiceUnavailableException');
    expect(throttleRetry?.MaxAttempts).toBeGreaterThanOrEqual(8);
  });
});
