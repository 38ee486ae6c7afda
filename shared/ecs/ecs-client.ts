import { ECSClient } from '@aws-sdk/client-ecs';
import { createAwsClient } from '../aws/aws-client';
import { config } from '../config/config';

/**
 * ECS throttles its control-plane APIs per account; adaptive retry shares one client-side rate limiter
 * across every call made through this client, so a burst of rollouts backs off together instead of
 * each call retrying blindly.
 */
const ECS_MAX_ATTEMPTS = 6;

let client: ECSClient | undefined;

/**
 * One ECS client per process, built from the configuration on first use: ECS_ENDPOINT points it at the
 * local ECS simulator (with dummy credentials); unset, it talks to AWS with the normal credential chain.
 */
export const getEcsClient = (): ECSClient => {
  client ??= createEcsClient({ endpoint: config().ecsEndpoint });
  return client;
};

export const createEcsClient = (options: { endpoint?: string | undefined; maxAttempts?: number } = {}): ECSClient =>
  createAwsClient(
    ECSClient,
    { endpoint: options.endpoint, maxAttempts: options.maxAttempts ?? ECS_MAX_ATTEMPTS, requestTimeoutMs: 10_000 },
    // A client that never retries (as Step Functions' direct integrations, which Retry in the state
    // machine) must not pace its later calls either, which adaptive mode would after one throttle.
    { retryMode: options.maxAttempts === 1 ? 'standard' : 'adaptive' },
  );

/** Lets the local server and tests point every ECS adapter call at their own simulator. */
export const useEcsClient = (next: ECSClient): void => {
  client = next;
};
