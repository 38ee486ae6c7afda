import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { config } from '../config/config';

/**
 * One structured JSON logger for every function. Keys and secrets are never passed to it: request logs
 * carry ids, routes and outcomes only.
 */
export const logger = new Logger({
  serviceName: 'slipway',
  logLevel: config().logLevel,
});

/** Whether DEBUG lines are written now, so a caller can skip building one that would be dropped. */
export const logsDebug = (): boolean => logger.level <= LogLevelThreshold.DEBUG;

/**
 * What one request's log line may say about it. Only ids and names: never headers, query strings or
 * bodies, which is where API keys travel.
 */
export type RequestLogFacts = {
  requestId?: string;
  routeKey?: string;
  /** The id of the API key used (a record id, not the key). */
  keyId?: string;
  app?: string;
  releaseId?: string;
  releaseVersion?: number;
};
