import { config } from '../config/config';

/**
 * The configuration every AWS SDK client in Slipway shares. `endpoint` set means a local stand-in
 * (dynalite, the local Step Functions API, the ECS simulator) that wants a region and credentials but
 * checks neither; unset means AWS with the normal credential chain.
 */
export const awsClientConfig = (options: {
  endpoint?: string | undefined;
  maxAttempts: number;
  /** A call that hangs longer than this is abandoned and retried rather than holding its caller. */
  requestTimeoutMs: number;
}) => ({
  ...(options.endpoint
    ? {
        endpoint: options.endpoint,
        region: config().region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {}),
  maxAttempts: options.maxAttempts,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
});
