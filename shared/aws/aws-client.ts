import { Tracer } from '@aws-lambda-powertools/tracer';
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

let tracer: Tracer | undefined;

/**
 * In Lambda each call becomes an X-Ray subsegment of the invocation (functions trace actively). Elsewhere
 * the client is left as it is: the local runtime and tests have no X-Ray daemon to send segments to.
 */
const traced = <C>(client: C): C => {
  if (!config().traceAwsCalls) return client;
  // SDK calls only: patching every https request as well would trace each of them a second time.
  tracer ??= new Tracer({ serviceName: 'slipway', enabled: true, captureHTTPsRequests: false });
  return tracer.captureAWSv3Client(client);
};

/**
 * Every AWS SDK client Slipway makes is made here: `new Client(shared configuration and extra)`, traced in
 * Lambda. A document client built on a DynamoDB client made here shares its middleware, and so its tracing.
 */
export const createAwsClient = <C, Extra extends object = object>(
  Client: new (configuration: ReturnType<typeof awsClientConfig> & Extra) => C,
  options: AwsClientOptions,
  extra?: Extra,
): C => traced(new Client({ ...awsClientConfig(options), ...(extra as Extra) }));
