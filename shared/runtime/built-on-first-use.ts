/**
 * A schema built the first time it is asked for, then kept. zod builds a schema's whole tree when its
 * expression runs, so a schema declared at a module's top level is built at every cold start of every
 * function that bundles it. A request body's schema is needed only by the route that takes that body: a cold
 * function answering a read must not pay for the schemas of its writes (bench: cold init).
 */
export const builtOnFirstUse = <Schema>(build: () => Schema): (() => Schema) => {
  let built: Schema | undefined;
  return () => {
    built ??= build();
    return built;
  };
};
