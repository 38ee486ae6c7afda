/**
 * Step Functions' AWS SDK integrations (`arn:aws:states:::aws-sdk:ecs:<action>`) take a call's parameters and
 * give its result with the SDK's member names in PascalCase; the SDK itself names them in camelCase.
 */

/** ECS members whose values are free-form maps: their keys are user data and keep their case. */
const MAP_MEMBERS = new Set(['dockerLabels', 'options', 'driverOpts', 'labels']);

const camel = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);
const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

const recase = (value: unknown, rename: (key: string) => string): unknown => {
  if (Array.isArray(value)) return value.map((item) => recase(item, rename));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [rename(key), MAP_MEMBERS.has(camel(key)) ? child : recase(child, rename)]),
  );
};

/** An SDK input or output as a Step Functions SDK integration spells it. */
export const toStepFunctionsCase = (value: unknown): unknown => recase(value, pascal);

/** A Step Functions SDK integration's parameters or result as the SDK spells them. */
export const fromStepFunctionsCase = (value: unknown): unknown => recase(value, camel);
