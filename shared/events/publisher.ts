import type { SlipwayEvent } from '../api/events';
import { config } from '../config/config';
import { deliverInProcess } from './bus';
import { putEventsToBus } from './eventbridge-publisher';

/**
 * Where events go: the Slipway EventBridge bus in AWS, the in-process bus locally. Everything before this
 * (outbox, relay, envelopes) is the same code in both.
 */
export const publishEvents = async (events: readonly SlipwayEvent[]): Promise<void> => {
  const busName = config().eventBusName;
  if (busName) await putEventsToBus(busName, events);
  else await deliverInProcess(events);
};
