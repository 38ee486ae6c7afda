import { config } from '../config/config';

type AwsClientOptions = {
  endpoint?: string | undefined;
  maxAttempts: number;
  /** A call that hangs longer than this is abandoned and retried rather than holding its caller. */
  requestTimeoutMs: number;
};

/**
 * The configuration every AWS SDK client in Slipway shares. `endpoint` set means a local stand-in
 * (dynalite, the local Step Functions API, the ECS simulator) that wants a region and credentials but
 * checks neither; unset means AWS with the normal credential chain.
 */
const awsClientConfig = (options: AwsClientOptions) => ({
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

/**
 * In Lambda each call becomes an X-Ray subsegment of the invocation. Elsewhere clients are left as they
 * are: the local runtime and tests have no X-Ray daemon, and the X-Ray SDK is not even loaded there,
 * because importing it hooks every promise of the process (awaits measured 13 times slower). Decided once,
 * when this module loads: a Lambda's configuration is fixed for its life. A function bundled for a deployment
 * that does not trace SDK calls has SLIPWAY_BUNDLES_XRAY folded to 'false' (infra/slipway-function.ts), so
 * esbuild leaves the X-Ray SDK out of it.
 */
const xray = process.env.SLIPWAY_BUNDLES_XRAY !== 'false' && config().traceAwsCalls ? await import('./xray-capture') : undefined;

const traced = <C>(client: C): C => (xray ? xray.captureAwsClient(client) : client);

/**
 * Every AWS SDK client Slipway makes is made here: `new Client(shared configuration and extra)`, traced in
 * Lambda. A document client built on a DynamoDB client made here shares its middleware, and so its tracing.
 */
export const createAwsClient = <C, Extra extends object = object>(
  Client: new (configuration: ReturnType<typeof awsClientConfig> & Extra) => C,
  options: AwsClientOptions,
  extra?: Extra,
): C => traced(new Client({ ...awsClientConfig(options), ...(extra as Extra) }));
