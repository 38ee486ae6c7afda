import { Tracer } from '@aws-lambda-powertools/tracer';

// SDK calls only: patching every https request as well would trace each of them a second time.
const tracer = new Tracer({ serviceName: 'slipway', enabled: true, captureHTTPsRequests: false });

/** Each call the client makes becomes an X-Ray subsegment of the invocation (functions trace actively). */
export const captureAwsClient = <C>(client: C): C => tracer.captureAWSv3Client(client);
