import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ALARM_EMAIL_CONTEXT } from './monitoring';
import { SlipwayStack } from './slipway-stack';

/** Optional context, e.g. `npx cdk deploy -c slipway:alarmEmail=oncall@example.com`. */
const CONTEXT = {
  account: 'slipway:account',
  region: 'slipway:region',
  alarmEmail: ALARM_EMAIL_CONTEXT,
} as const;

const optionalContext = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * The CDK app: one stack, 'Slipway', environment-agnostic unless an account/region is pinned through
 * context, with cdk-nag's AWS Solutions checks so every synth reports (and an error fails it).
 */
export const createSlipwayApp = (props: AppProps = {}): { app: App; stack: SlipwayStack } => {
  const app = new App(props);
  const account = optionalContext(app, CONTEXT.account);
  const region = optionalContext(app, CONTEXT.region);
  const stack = new SlipwayStack(app, 'Slipway', {
    description: 'Slipway: serverless release controller for ECS services',
    ...(account || region ? { env: { account, region } } : {}),
    alarmEmail: optionalContext(app, CONTEXT.alarmEmail),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
};
