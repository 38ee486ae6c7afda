import type { CallCensus, RouteCalls } from './calls';

/**
 * Published on-demand prices, US East (N. Virginia), us-east-1, as the AWS pricing pages state them on
 * 2026-11-30 (aws.amazon.com/lambda/pricing, /step-functions/pricing, /dynamodb/pricing/on-demand,
 * /api-gateway/pricing, /eventbridge/pricing). Free tiers are left out.
 */
export const PRICES = {
  date: '2026-11-30',
  region: 'us-east-1',
  lambdaPerRequest: 0.2 / 1e6,
  /** arm64, first tier. */
  lambdaPerGbSecond: 0.0000133334,
  /** Standard workflows. */
  stepFunctionsPerTransition: 0.025 / 1000,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  /** HTTP APIs, first 300 million a month. */
  apiGatewayPerRequest: 1.0 / 1e6,
  /** ECS deployment and task state changes are AWS service events: delivered to a rule's targets at no charge. */
  eventBridgePerServiceEvent: 0,
} as const;

/** The API requests one release is modelled with: CI registers the build, releases it and posts one check; a person looks once. */
export const RELEASE_REQUESTS = [
  'POST /apps/{app}/builds',
  'POST /apps/{app}/releases',
  'POST /apps/{app}/releases/{release}/statuses',
  'GET /apps/{app}/releases/{release}',
] as const;

/** What the polling design is priced with: an ECS rolling deployment of this length, polled at this interval. */
export const POLLING = { deploymentSeconds: 300, intervalSeconds: 10, transitionsPerPoll: 3 } as const;

const MEMORY_GB = 0.5;

type CostLine = { item: string; quantity: number; unit: string; dollars: number };
export type CostModel = { design: string; lines: CostLine[]; total: number };

const line = (item: string, quantity: number, unit: string, price: number): CostLine => ({ item, quantity, unit, dollars: quantity * price });

const routeNamed = (census: CallCensus, route: string): RouteCalls => {
  const found = census.routes.find((candidate) => candidate.route === route);
  if (!found) throw new Error(`the census has no ${route}`);
  return found;
};

/**
 * Per 1,000 releases, every invocation billed as a cold one (a release controller is called rarely): the
 * slowest measured cold init plus the handler's own time, at the functions' 512 MB.
 */
export const costPer1000Releases = (
  census: CallCensus,
  measured: { transitionsPerRelease: number; coldInvocationMs: number },
): CostModel[] => {
  const requests = RELEASE_REQUESTS.map((route) => routeNamed(census, route));
  const apiRequests = requests.length;
  const apiInvocations = requests.reduce((sum, request) => sum + request.invocations, 0);
  const rolloutInvocations = Object.values(census.rollout.invocations).reduce((sum, count) => sum + count, 0);
  const deploymentEvents = census.rollout.invocations['ecs-deployment-events'] ?? 0;
  const taskEvents = census.rollout.invocations['ecs-task-events'] ?? 0;
  const readUnits = requests.reduce((sum, request) => sum + request.readUnits, 0) + census.rollout.readUnits;
  const writeUnits = requests.reduce((sum, request) => sum + request.writeUnits, 0) + census.rollout.writeUnits;
  const gbSeconds = (invocations: number) => (invocations * measured.coldInvocationMs * MEMORY_GB) / 1000;
  const perThousand = (lines: CostLine[], design: string): CostModel => {
    const scaled = lines.map((entry) => ({ ...entry, quantity: entry.quantity * 1000, dollars: entry.dollars * 1000 }));
    return { design, lines: scaled, total: scaled.reduce((sum, entry) => sum + entry.dollars, 0) };
  };
  const shared = (invocations: number, transitions: number): CostLine[] => [
    line('API Gateway requests', apiRequests, 'requests', PRICES.apiGatewayPerRequest),
    line('Lambda invocations', invocations, 'requests', PRICES.lambdaPerRequest),
    line('Lambda compute', gbSeconds(invocations), 'GB-s', PRICES.lambdaPerGbSecond),
    line('Step Functions transitions', transitions, 'transitions', PRICES.stepFunctionsPerTransition),
    line('DynamoDB reads', readUnits, 'RRU', PRICES.dynamoPerReadUnit),
    line('DynamoDB writes', writeUnits, 'WRU', PRICES.dynamoPerWriteUnit),
  ];
  const polls = POLLING.deploymentSeconds / POLLING.intervalSeconds;
  // Polling replaces the await step and the deployment and task events' functions with a Wait/Describe/Choice loop.
  const pollingInvocations = apiInvocations + rolloutInvocations - deploymentEvents - taskEvents - 1 + polls;
  const pollingTransitions = measured.transitionsPerRelease - 1 + polls * POLLING.transitionsPerPoll;
  return [
    perThousand(
      [
        ...shared(apiInvocations + rolloutInvocations, measured.transitionsPerRelease),
        line('EventBridge ECS deployment events', deploymentEvents, 'events', PRICES.eventBridgePerServiceEvent),
        line('EventBridge ECS task state change events', taskEvents, 'events', PRICES.eventBridgePerServiceEvent),
      ],
      'Slipway: ECS deployment events resume the rollout',
    ),
    perThousand(shared(pollingInvocations, pollingTransitions), `polling ECS every ${POLLING.intervalSeconds} s (${POLLING.deploymentSeconds} s deployment)`),
  ];
};
