import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (an esbuild alias in
 * infra/slipway-function.ts). Lambda always hands a function its role's credentials in the environment,
 * so the SDK's full provider chain (SSO, STS, INI files, login, IMDS, with their nested clients, about a
 * third of every bundle) can never be used there and only costs cold-start time.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
