import { Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SECRET_PATH_PREFIX } from '../shared/secrets/secret-store';

/** The Parameter Store parameters Slipway keeps secret config values in (`/slipway/{app id}/{change id}/{NAME}`). */
const secretParametersArn = (scope: NodejsFunction): string =>
  Stack.of(scope).formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${SECRET_PATH_PREFIX.slice(1)}*` });

/**
 * Secret values are written by the function that takes config changes and read by no Slipway function at
 * all: ECS reads them with the service's task execution role when it starts a task. So every function is
 * denied reading them, explicitly, and only `writer` may create them (never overwrite: PutParameter is
 * called with Overwrite false, and a parameter per change keeps older releases' values).
 */
export const grantSecretParameters = (fn: NodejsFunction, access: { writes: boolean }): void => {
  const parameters = secretParametersArn(fn);
  if (access.writes) {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ssm:PutParameter'], resources: [parameters] }));
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${SECRET_PATH_PREFIX}*]`,
        reason: 'Each config change stores its secrets as new parameters named after the app and the change, unknown in advance; only under /slipway/, write only.',
      });
    }
  }
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.DENY,
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      resources: [parameters],
    }),
  );
};
