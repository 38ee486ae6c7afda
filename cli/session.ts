import { SlipwayApi } from './api';
import { profileName, resolveConnection, type Connection } from './config';
import { HttpClient } from './http-client';

export type Session = {
  api: SlipwayApi;
  /** The Slipway it talks to, from the profile or SLIPWAY_URL. */
  endpoint: string;
  json: boolean;
  /** One per invocation: every retry of this command's write carries it, so a replay never releases twice. */
  idempotencyKey: string;
};

export const apiFor = (connection: Connection) => new SlipwayApi(new HttpClient(connection));

/**
 * The stored (or environment's) connection and the API client with its zod schemas. Commands import this
 * module only once they run, so `--help` and completion answer without loading any of it.
 */
export const openSession = async (args: { profile?: string | undefined; json: boolean }): Promise<Session> => {
  const connection = await resolveConnection(profileName(args.profile));
  return { api: apiFor(connection), endpoint: connection.url, json: args.json, idempotencyKey: crypto.randomUUID() };
};
