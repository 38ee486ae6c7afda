import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createSlipwayApp } from '../../infra/slipway-app';

const synthesize = (context: Record<string, unknown>) =>
  Template.fromStack(createSlipwayApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } }).stack);

describe('the rollout construct', () => {
  it('hears deployment events of every service, or of the named clusters only', () => {
    const anyCluster = Object.values(synthesize({}).findResources('AWS::Events::Rule'))[0]?.Properties.EventPattern;
    expect(anyCluster.resources).toBeUndefined();

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
});
