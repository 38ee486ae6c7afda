import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every function. Keys and secrets are never passed to it: request logs
 * carry ids, routes and outcomes only.
 */
export const logger = new Logger({
  serviceName: 'slipway',
  logLevel: (process.env.SLIPWAY_LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
});
