import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type FunctionProps } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Modules swapped for Lambda-only stand-ins when bundling (see shared/aws/lambda-credentials.ts). */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': `${projectRoot}shared/aws/lambda-credentials.ts`,
};

/**
 * Whether the bundle carries the X-Ray SDK at all (shared/aws/aws-client.ts reads it): folded by esbuild, so a
 * function deployed without SDK-call tracing neither contains nor loads it. Loading it costs more than its own
 * code: the Tracer's ESM import of node:http makes Node build that module's every export, which loads undici.
 */
const bundlesXray = (traced: boolean) => ({ 'process.env.SLIPWAY_BUNDLES_XRAY': JSON.stringify(String(traced)) });

/** How every function is bundled; exported so `npm run bench` measures exactly what `cdk deploy` ships. */
export const SLIPWAY_BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  // Stack traces in the logs name the TypeScript sources: shared/runtime/stack-traces.ts reads the map at the first
  // stack formatted (Node's --enable-source-maps would parse it at every cold start). The mappings are all it needs.
  sourceMap: true,
  sourcesContent: false,
  inject: [`${projectRoot}shared/runtime/stack-traces.ts`],
  target: 'node24',
  forceDockerBundling: false,
  bundleAwsSDK: true,
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: "import { createRequire as slipwayCreateRequire } from 'module'; const require = slipwayCreateRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  esbuildArgs: Object.fromEntries(Object.entries(LAMBDA_ALIASES).map(([module, path]) => [`--alias:${module}`, path])),
  define: bundlesXray(false),
} satisfies BundlingOptions;

/** The same, for a deployment that traces each AWS SDK call (TRACE_AWS_CALLS_CONTEXT). */
export const TRACED_BUNDLING = { ...SLIPWAY_BUNDLING, define: bundlesXray(true) } satisfies BundlingOptions;

/**
 * Bundling hooks return shell commands; writing the files from Node instead, when CDK asks for the
 * commands of a local bundling, keeps it portable and needs no second build tool.
 */
const addFilesHook = (addFiles: (outputDir: string) => void): ICommandHooks => ({
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => {
    addFiles(outputDir);
    return [];
  },
});

const entries = new WeakMap<NodejsFunction, string>();

/**
 * `-c slipway:traceAwsCalls=true`: each AWS SDK call becomes an X-Ray subsegment (the X-Ray SDK loaded and its
 * promise hook installed in every function). Off by default: Lambda's active tracing still traces every
 * invocation (its init, duration and errors), which is what a release controller's traces are mostly read for.
 */
export const TRACE_AWS_CALLS_CONTEXT = 'slipway:traceAwsCalls';

/**
 * The functions/ module a Slipway function runs, without folder or extension ('releases', 'rollout-lock'):
 * the name infra/aws-calls.ts lists the function's AWS calls under.
 */
export const entryNameOf = (fn: NodejsFunction): string | undefined => entries.get(fn);

/**
 * Every Slipway Lambda: arm64 on nodejs24.x, bundled by the local esbuild (never Docker), minified, ESM,
 * with the AWS SDK v3 bundled in so cold starts do not depend on the runtime's copy.
 */
export const slipwayFunction = (
  scope: Construct,
  id: string,
  props: {
    entry: string;
    environment?: Record<string, string>;
    /** Writes more files beside the bundle (the dashboard's), into the asset folder it is given. */
    addFiles?: (outputDir: string) => void;
  } & Partial<
    Pick<FunctionProps, 'timeout' | 'memorySize' | 'description' | 'deadLetterQueue' | 'reservedConcurrentExecutions'>
  >,
): NodejsFunction => {
  // An own log group (with retention) and role: the default role's AWSLambdaBasicExecutionRole would let the
  // function write to, and create, any log group in the account.
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS });
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const traced = scope.node.tryGetContext(TRACE_AWS_CALLS_CONTEXT) === 'true';
  const bundling = traced ? TRACED_BUNDLING : SLIPWAY_BUNDLING;
  const fn = new NodejsFunction(scope, id, {
    entry: `${projectRoot}${props.entry}`,
    handler: 'handler',
    projectRoot,
    depsLockFilePath: `${projectRoot}package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.seconds(15),
    tracing: Tracing.ACTIVE,
    description: props.description,
    deadLetterQueue: props.deadLetterQueue,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    environment: {
      ...(traced ? { SLIPWAY_TRACE_AWS_CALLS: 'true' } : {}),
      ...props.environment,
    },
    bundling: props.addFiles ? { ...bundling, commandHooks: addFilesHook(props.addFiles) } : bundling,
    logGroup,
    role,
  });
  entries.set(fn, basename(props.entry, '.ts'));
  return fn;
};
