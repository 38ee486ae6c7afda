import { Template } from 'aws-cdk-lib/assertions';
import { createSlipwayApp } from '../../infra/slipway-app';

/**
 * The real Slipway app (with its cdk-nag checks), synthesized without running esbuild so the template
 * tests stay fast; test/infra/bundling.test.ts proves the bundling itself.
 */
export const synthesizeSlipway = (context: Record<string, unknown> = {}) => {
  const { app, stack } = createSlipwayApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, stack, template: Template.fromStack(stack) };
};

export type PolicyStatement = {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
};

type PolicyDocument = { Statement: PolicyStatement[] };

/** Every statement of every identity policy in the template: inline role policies and AWS::IAM::Policy. */
export const identityStatements = (template: Template): { policy: string; statement: PolicyStatement }[] => {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, resource]) => ({
    id,
    document: resource.Properties.PolicyDocument as PolicyDocument,
  }));
  const inline = Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, resource]) =>
    ((resource.Properties.Policies ?? []) as { PolicyDocument: PolicyDocument }[]).map((policy) => ({
      id,
      document: policy.PolicyDocument,
    })),
  );
  return [...policies, ...inline].flatMap(({ id, document }) =>
    document.Statement.map((statement) => ({ policy: id, statement })),
  );
};

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: PolicyStatement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
