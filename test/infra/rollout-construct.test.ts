import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createSlipwayApp } from '../../infra/slipway-app';
import { synthesizeRolloutDefinition } from '../../local/rollout-definition';
import { DEFAULT_DEADLINE_SECONDS } from '../../shared/domain/rollout';
import { RELEASE_PHASE_BOUNDS } from '../../shared/domain/release-phase';
import { MAX_HOLD_MINUTES } from '../../shared/domain/deployment-strategy';

type EventPattern = { 'detail-type'?: string[]; resources?: unknown; detail?: Record<string, unknown> };
/** The pattern of the rule that takes `detailType` and, of two such rules, the one whose detail names `detailKey`. */
const patternOf = (template: Template, detailType: string, detailKey?: string): EventPattern | undefined =>
  Object.values(template.findResources('AWS::Events::Rule'))
    .map((rule) => rule.Properties.EventPattern as EventPattern)
    .find((pattern) => pattern?.['detail-type']?.includes(detailType) && (detailKey === undefined || pattern.detail?.[detailKey] !== undefined));

const synthesize = (context: Record<string, unknown>) =>
  Template.fromStack(createSlipwayApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).stack);

describe('the rollout construct', () => {

  it('hears deployment events of every service, or of the named clusters only', () => {
    const anyCluster = patternOf(synthesize({}), 'ECS Deployment State Change');
    expect(anyCluster).toBeDefined();
    expect(anyCluster?.resources).toBeUndefined();
    // Deployments' state changes resume a rollout; hooks awaiting action (bakes, gates) are answered at once.
    expect(anyCluster?.['detail-type']).toEqual(['ECS Deployment State Change', 'ECS Hook State Change']);

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

  it('hears the task state changes of services (not one-off tasks) that move a deployment, scoped like the deployment rule', () => {
    const template = synthesize({});
    expect(patternOf(template, 'ECS Task State Change', 'group')).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { group: [{ prefix: 'service:' }], lastStatus: ['RUNNING', 'STOPPED'] },
    });
    const handler = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) =>
      String(fn.Properties.Description).startsWith('Rollout progress'),
    );
    expect(handler).toBeDefined();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['ECS Task State Change'], detail: Match.objectLike({ group: Match.anyValue() }) }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [handler?.[0], 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
        }),
      ],
    });

    const scoped = patternOf(synthesize({ 'slipway:clusters': 'prod,staging' }), 'ECS Task State Change', 'group');
    expect(scoped?.detail?.group).toEqual([{ prefix: 'service:' }]);
    expect(scoped?.detail?.clusterArn).toHaveLength(2);
    expect(JSON.stringify(scoped?.detail?.clusterArn)).toMatch(/:cluster\/prod".*:cluster\/staging"/);
  });

  it('hears only stopped release phase tasks, of every cluster or of the named clusters only', () => {
    const anyCluster = patternOf(synthesize({}), 'ECS Task State Change', 'startedBy');
    expect(anyCluster?.detail).toEqual({ lastStatus: ['STOPPED'], startedBy: [{ prefix: 'slipway/release-phase/' }] });
    const scoped = patternOf(synthesize({ 'slipway:clusters': 'prod,staging' }), 'ECS Task State Change', 'startedBy');
    expect(JSON.stringify(scoped?.detail?.clusterArn)).toContain(':cluster/prod');
    expect(JSON.stringify(scoped?.detail?.clusterArn)).toContain(':cluster/staging');
  });

  it('times an execution out a little after the rollout deadline, the longest release phase and the longest holds, so a stuck one ends and its alarm can fire', () => {
    const definition = synthesizeRolloutDefinition().definition as { TimeoutSeconds?: number; States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }> };
    const longest = DEFAULT_DEADLINE_SECONDS + RELEASE_PHASE_BOUNDS.timeoutMinutes.max * 60 + MAX_HOLD_MINUTES * 60;
    expect(definition.TimeoutSeconds).toBeGreaterThan(longest);
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(longest + 30 * 60);
    const throttleRetry = definition.States.UpdateService?.Retry?.find((retrier) => retrier.ErrorEquals.includes('Ecs.ThrottlingException'));
    expect(throttleRetry?.ErrorEquals).toContain('Ecs.ServiceUnavailableException');
    expect(throttleRetry?.MaxAttempts).toBeGreaterThanOrEqual(8);
  });
});
