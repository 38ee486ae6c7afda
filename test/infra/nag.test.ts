import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ROLLOUT_CONTEXT } from '../../infra/rollout';
import { synthesizeSlipway } from './synthesize';

/** Findings left after acknowledgements; synthesis itself already throws on an unacknowledged error. */
const unacknowledgedFindings = (app: App) =>
  new AwsSolutionsChecks().validateScope(app).violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    at: violation.violatingResources.map((resource) => resource.constructPath),
  }));

describe('cdk-nag AwsSolutions', () => {
  const { app } = synthesizeSlipway();

  it('finds no unacknowledged error or warning', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });

  it('finds none either when the rollout is scoped to named clusters', () => {
    const { app: scoped, template } = synthesizeSlipway({ [ROLLOUT_CONTEXT.clusters]: 'prod,staging' });
    expect(JSON.stringify(template.toJSON())).toContain(':service/prod/*');
    expect(unacknowledgedFindings(scoped)).toEqual([]);
  });

  it('finds none either when task roles may be passed', () => {
    const { app: withRoles } = synthesizeSlipway({ [ROLLOUT_CONTEXT.taskRoles]: 'arn:aws:iam::123456789012:role/web-task' });
    expect(unacknowledgedFindings(withRoles)).toEqual([]);
  });

  it('has a written, specific reason for every acknowledgement', () => {
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledgements) {
      expect(reason.length, rule).toBeGreaterThanOrEqual(60);
    }
  });
});
