import * as z from 'zod/mini';
import { notFound, type DomainError } from '../domain/errors';
import type { Route } from './routes';
import { IdOrName, StatusContext, Uuid } from './common';

/** The dashboard bundle's file names: `name-HASH.ext`, nothing that could climb out of it. */
const DashboardAssetName = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}\.(?:js|css|svg)$/));

type ParametersIn<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParametersIn<Rest> : never;
export type PathParameterName = ParametersIn<Route['path']>;

/** `/releases/{release}` takes a release id or its version number. */
export const ReleaseReference = z.union([Uuid, z.string().check(z.regex(/^[1-9][0-9]{0,9}$/))]);

/**
 * Every path parameter of every route, with the resource it names. A value its schema refuses names
 * nothing that could exist, so it is answered 404 like an unknown one before any store call.
 */
export const PATH_PARAMETERS: Record<PathParameterName, { schema: z.ZodMiniType<string>; resource: string; description: string }> = {
  app: { schema: IdOrName, resource: 'app', description: 'App name or id' },
  build: { schema: Uuid, resource: 'build', description: 'Build id' },
  slug: { schema: Uuid, resource: 'slug', description: 'Slug (build) id' },
  release: { schema: ReleaseReference, resource: 'release', description: 'Release id, or its version number' },
  context: { schema: StatusContext, resource: 'status', description: 'Status check context (percent-encode a /)' },
  pipeline: { schema: IdOrName, resource: 'pipeline', description: 'Pipeline name or id' },
  coupling: { schema: Uuid, resource: 'pipeline_coupling', description: 'Pipeline coupling id' },
  promotion: { schema: Uuid, resource: 'pipeline_promotion', description: 'Pipeline promotion id' },
  hook: { schema: Uuid, resource: 'hook', description: 'Hook id' },
  delivery: { schema: Uuid, resource: 'hook_delivery', description: "Delivery id (the event's id)" },
  key: { schema: Uuid, resource: 'api_key', description: 'API key id (not the key)' },
  asset: { schema: DashboardAssetName, resource: 'asset', description: "A file of the dashboard's bundle" },
  signal: { schema: Uuid, resource: 'signal_release', description: 'The id of a release declared by an Echoes client (one for all its deliverables)' },
};

const isPathParameterName = (name: string): name is PathParameterName => Object.hasOwn(PATH_PARAMETERS, name);

/** Long enough to recognise what was sent, short enough that an error never echoes kilobytes. */
const ECHO_LIMIT = 80;
const echoed = (value: string): string => (value.length > ECHO_LIMIT ? `${value.slice(0, ECHO_LIMIT)}…` : value);

/**
 * The route's path parameters, each checked against its schema once per request; the first that names
 * nothing is the 404 to answer (`refusal`), which the caller throws when it may tell the caller so.
 */
export const checkPathParameters = (
  params: Readonly<Record<string, string | undefined>>,
): { params: Record<string, string>; refusal?: undefined } | { refusal: DomainError } => {
  const parsed: Record<string, string> = {};
  for (const [name, value = ''] of Object.entries(params)) {
    if (!isPathParameterName(name)) continue;
    const { schema, resource } = PATH_PARAMETERS[name];
    if (!schema.safeParse(value).success) return { refusal: notFound(resource, echoed(value)) };
    parsed[name] = value;
  }
  return { params: parsed };
};
