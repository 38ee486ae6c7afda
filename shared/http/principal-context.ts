import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROLES, type Principal } from '../domain/access';

/**
 * The authorizer passes the principal to handlers as API Gateway's authorizer context, whose values must
 * be primitives; these two functions are the only encoders and decoders of that context.
 */
export type PrincipalContext = {
  authenticated: boolean;
  /** The key could not be checked (the store failed): the caller should retry, not be told its key is bad. */
  unavailable: boolean;
  keyId: string;
  role: string;
  apps: string;
  email: string;
};

export const UNAUTHENTICATED: PrincipalContext = {
  authenticated: false,
  unavailable: false,
  keyId: '',
  role: '',
  apps: '',
  email: '',
};

export const KEY_CHECK_UNAVAILABLE: PrincipalContext = { ...UNAUTHENTICATED, unavailable: true };

export const toPrincipalContext = (principal: Principal): PrincipalContext => ({
  authenticated: true,
  unavailable: false,
  keyId: principal.keyId,
  role: principal.role,
  apps: principal.apps === null ? '*' : principal.apps.join(','),
  email: principal.email,
});

const contextOf = (event: APIGatewayProxyEventV2): Partial<PrincipalContext> | undefined =>
  (event.requestContext as { authorizer?: { lambda?: Partial<PrincipalContext> } }).authorizer?.lambda;

export const isKeyCheckUnavailable = (event: APIGatewayProxyEventV2): boolean => contextOf(event)?.unavailable === true;

export const principalOf = (event: APIGatewayProxyEventV2): Principal | undefined => {
  const context = contextOf(event);
  if (!context || context.authenticated !== true || !context.keyId || !context.email) return undefined;
  const role = ROLES.find((candidate) => candidate === context.role);
  if (!role) return undefined;
  const apps = context.apps === undefined || context.apps === '*' ? null : context.apps.split(',').filter(Boolean);
  return { keyId: context.keyId, role, apps, email: context.email };
};
