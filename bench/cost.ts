/**
 * Part 2: the AWS cost of the reference migration (steps 1, 5, 10, 25, 50, 75, 100; 10-minute bakes;
 * 1-minute evaluations; 10-minute final bake), counted from a real local run: the real ASL in
 * aws-local-stepfunctions with the real handlers (cli/local-engine.ts) against a moto_server started here,
 * fed by the closed-loop traffic model (cli/traffic-model.ts, healthy green, 3,000 req/min).
 *
 * Counted:
 * - state transitions: ExecutionEnd.stateTransitions (states entered + retries) of every execution;
 * - Lambda invocations: every Task the engine ran (task-succeeded/task-failed), plus on-execution-end;
 * - SDK calls by operation and GetMetricData metrics requested (MetricDataQueries per call), through
 *   middleware on the orchestrator's own clients (the traffic model and the seeding use separate clients);
 * - Step Functions control-plane calls the handlers make (the local registry stands in for the service);
 * - the handlers' log output at INFO, with the dashboard's fields, and any custom metrics (EMF lines) they write
 *   (bench/telemetry.ts).
 * Estimated, and labelled so in the output: Lambda's own log lines, the state machine's execution log, X-Ray
 * traces (an upper bound), and the run registry's DynamoDB requests (not built yet).
 * Route 53 on AWS takes ~60 s to report INSYNC while moto answers INSYNC at once; the main run therefore
 * wraps the router so a change is PENDING for its first 60 s of virtual time (the engine's clock), which is
 * what makes CheckDnsSync poll several times per step as it would on AWS. A second run with moto's instant
 * INSYNC is reported as a detail.
 */
import { readFileSync } from 'node:fs';
import { CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import {
  type EngineEvent,
  type ExecutionEnd,
  LocalEngine,
  VirtualClock,
} from '../cli/local-engine.ts';
import { clientConfig, type Moto, startMoto } from '../cli/moto.ts';
import { BLUE_DISCOVERY_NAMES, GREEN_DISCOVERY_NAMES } from '../cli/scenarios.ts';
import { seedRehearsalZone } from '../cli/seed.ts';
import { TrafficModel } from '../cli/traffic-model.ts';
import { REGISTRY_KEY_ATTRIBUTE } from '../functions/adapters/dynamodb-migration-registry.ts';
import { EventBridgeNotifier } from '../functions/adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import { type MigrationInputDraft, parseMigrationInput } from '../functions/core/input.ts';
import type { Clock, RunState, TrafficRouter } from '../functions/core/state.ts';
import { countDynamoDbUnits, type DynamoDbUnits } from './dynamodb-units.ts';
import { metricsIfStatisticsGrouped } from './grouped-metrics.ts';
import { countTelemetry, type TelemetryCount } from './telemetry.ts';

/** Prices (us-east-1) and where they come from. */
export const PRICES = {
  stepFunctionsPerTransition: {
    usd: 0.025 / 1_000,
    source:
      'Step Functions Standard $0.025 per 1,000 state transitions (aws.amazon.com/step-functions/pricing; shared/docs/aws-facts.md 4.5)',
  },
  lambdaPerRequest: {
    usd: 0.2 / 1_000_000,
    source: 'Lambda $0.20 per 1M requests (aws.amazon.com/lambda/pricing)',
  },
  lambdaPerGbSecond: {
    usd: 0.0000133334,
    source:
      'Lambda arm64 $0.0000133334 per GB-s, billed per ms rounded up per invocation (aws.amazon.com/lambda/pricing); template.yaml Globals: Architectures [arm64], MemorySize read from the template',
  },
  getMetricDataPerMetric: {
    usd: 0.01 / 1_000,
    source:
      'CloudWatch GetMetricData $0.01 per 1,000 metrics requested, no free tier (aws.amazon.com/cloudwatch/pricing; aws-facts.md 3.5)',
  },
  cloudWatchPerApiRequest: {
    usd: 0.01 / 1_000,
    source:
      'CloudWatch API requests (ListMetrics) $0.01 per 1,000 requests beyond the 1M free tier; priced without the free tier',
  },
  route53Api: { usd: 0, source: 'Route 53 API calls are free (aws.amazon.com/route53/pricing)' },
  eventBridgePerEvent: {
    usd: 1 / 1_000_000,
    source: 'EventBridge custom events $1.00 per million PutEvents entries (64 KB chunks)',
  },
  stepFunctionsApi: {
    usd: 0,
    source:
      'Step Functions API calls (DescribeExecution, ListExecutions, GetExecutionHistory, StartExecution) carry no per-call charge',
  },
  customMetricPerHour: {
    usd: 0.3 / 730,
    source:
      'CloudWatch custom metrics $0.30 per metric-month (first 10,000), prorated by the hour the metric receives data: $0.30 / 730 per metric-hour (price: third-party sources, UNCONFIRMED on aws.amazon.com/cloudwatch/pricing; proration: that page)',
  },
  logsIngestionPerGb: {
    usd: 0.5,
    source:
      'CloudWatch Logs ingestion $0.50 per GB, Standard class; Step Functions vended logs the same for the first 10 TB (aws.amazon.com/cloudwatch/pricing; UNCONFIRMED)',
  },
  logsStoragePerGbMonth: {
    usd: 0.03,
    source:
      'CloudWatch Logs storage $0.03 per GB-month (priced uncompressed, one month: an upper bound; UNCONFIRMED)',
  },
  xrayPerTrace: {
    usd: 5 / 1_000_000,
    source:
      'X-Ray $5.00 per million traces recorded beyond 100,000 free per month (aws.amazon.com/xray/pricing); retrieval and scans ($0.50 per million) happen only when someone looks and are not counted',
  },
  dynamoDbPerWriteUnit: {
    usd: 0.625 / 1_000_000,
    source:
      'DynamoDB on-demand $0.625 per million write request units (us-east-1 after the November 2024 reduction; third-party sources, UNCONFIRMED)',
  },
  dynamoDbPerReadUnit: {
    usd: 0.125 / 1_000_000,
    source: 'DynamoDB on-demand $0.125 per million read request units (same source, UNCONFIRMED)',
  },
} as const;

/**
 * Lambda's own START, END and REPORT lines (text log format, the template's default) of one invocation
 * billed `ms`, with the XRAY line active tracing adds and, on a cold start, Init Duration: built in Lambda's
 * format from the measured duration, for their bytes.
 */
export function platformLogLines(ms: number, memoryMb: number, coldStart: boolean): string {
  const id = '00000000-0000-4000-8000-000000000000';
  const init = coldStart ? `\tInit Duration: ${(150).toFixed(2)} ms` : '';
  return [
    `START RequestId: ${id} Version: $LATEST`,
    `END RequestId: ${id}`,
    `REPORT RequestId: ${id}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(ms)} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: ${Math.round(memoryMb * 0.4)} MB${init}\t`,
    'XRAY TraceId: 1-00000000-000000000000000000000000\tSegmentId: 0000000000000000\tSampled: true\t',
  ]
    .map((line) => `${line}\n`)
    .join('');
}
/** Bytes of one Step Functions execution log event at Level ALL without execution data. ESTIMATE. */
export const STATE_MACHINE_LOG_BYTES_PER_EVENT = 500;
/** The functions' memory (GB) and architecture, from template.yaml's Globals (what is deployed). */
export function templateLambdaSettings(
  template = readFileSync(new URL('../template.yaml', import.meta.url), 'utf8')
): { memoryGb: number; architecture: string } {
  const globals = template.slice(template.indexOf('Globals:'), template.indexOf('Resources:'));
  const memory = /MemorySize:\s*(\d+)/.exec(globals)?.[1];
  const architecture = /Architectures:\s*\[\s*(\w+)\s*\]/.exec(globals)?.[1];
  if (memory === undefined || architecture === undefined)
    throw new Error('template.yaml Globals: no MemorySize or Architectures');
  if (architecture !== 'arm64')
    throw new Error(`template.yaml deploys ${architecture}: the bench prices arm64 only`);
  return { memoryGb: Number(memory) / 1024, architecture };
}
export const LAMBDA_MEMORY_GB = templateLambdaSettings().memoryGb;
/** Upper bound per invocation for the duration price (init, SDK calls against AWS instead of moto). */
export const LAMBDA_DURATION_UPPER_BOUND_MS = 1_000;

export interface CostRun {
  label: string;
  /** Virtual duration of the migration. */
  virtualMinutes: number;
  wallSeconds: number;
  outcome: string;
  executions: number;
  stateTransitions: number;
  historyEvents: number;
  lambdaInvocations: number;
  invocationsByFunction: Record<string, number>;
  evaluations: number;
  /** Bytes of Lambda's START/END/REPORT/XRAY lines for the measured invocations (platformLogLines). */
  platformLogBytes: number;
  /** EvaluateMetrics invocations among `evaluations` that found green's newest minute unpublished and judged nothing. */
  publicationLooks: number;
  /** Measured handler wall time in this process (moto over loopback), milliseconds. */
  handlerMs: { total: number; median: number; p95: number; max: number };
  apiCalls: Record<string, number>;
  getMetricDataMetrics: number;
  /** The same requests counted by `metricsIfStatisticsGrouped` (a disputed reading of the pricing page; not priced). */
  getMetricDataMetricsGrouped: number;
  putEventsEntries: number;
  stepFunctionsApiCalls: Record<string, number>;
  /** The migration registry's DynamoDB calls and request units, counted from the calls (bench/dynamodb-units.ts). */
  dynamoDb: DynamoDbUnits;
  /** The handlers' custom metrics and log output, counted in-process (bench/telemetry.ts). */
  telemetry: TelemetryCount;
}

export interface CostBreakdown {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  source: string;
}

/** The reference migration on the rehearsal's seeded records and discovery names. */
export function referenceMigration(records: MigrationInputDraft['records']): MigrationInputDraft {
  return {
    migrationId: 'bench-reference',
    records,
    plan: {
      steps: [1, 5, 10, 25, 50, 75, 100],
      bakeSeconds: 600,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 600,
    },
    metrics: {
      greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
      blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
    },
  };
}

/** Reports a change PENDING for its first `syncSeconds` of virtual time, as Route 53 does (~60 s). */
class RealisticSyncRouter implements TrafficRouter {
  private readonly inner: TrafficRouter;
  private readonly clock: Clock;
  private readonly syncMs: number;
  private readonly submitted = new Map<string, number>();

  constructor(inner: TrafficRouter, clock: Clock, syncSeconds: number) {
    this.inner = inner;
    this.clock = clock;
    this.syncMs = syncSeconds * 1_000;
  }

  readPairs(...args: Parameters<TrafficRouter['readPairs']>) {
    return this.inner.readPairs(...args);
  }
  listProtectedRecords(...args: Parameters<TrafficRouter['listProtectedRecords']>) {
    return this.inner.listProtectedRecords(...args);
  }
  readHealthChecks(...args: Parameters<TrafficRouter['readHealthChecks']>) {
    return this.inner.readHealthChecks(...args);
  }
  private remember(ids: string[]): string[] {
    for (const id of ids) this.submitted.set(id, this.clock.now().getTime());
    return ids;
  }
  async applyWeights(...args: Parameters<TrafficRouter['applyWeights']>) {
    return this.remember(await this.inner.applyWeights(...args));
  }
  async restore(...args: Parameters<TrafficRouter['restore']>) {
    return this.remember(await this.inner.restore(...args));
  }
  async getChangeStatus(changeId: string): Promise<'PENDING' | 'INSYNC'> {
    const status = await this.inner.getChangeStatus(changeId);
    const at = this.submitted.get(changeId);
    return at !== undefined && this.clock.now().getTime() - at < this.syncMs ? 'PENDING' : status;
  }
}

type Countable = {
  middlewareStack: {
    add: (middleware: never, options: { step: 'initialize'; name: string }) => void;
  };
};

/** Counts every SDK call by operation; GetMetricData queries and PutEvents entries too. */
function instrument(
  client: Countable,
  service: string,
  calls: Record<string, number>,
  extra: { metrics: number; groupedMetrics: number; entries: number }
): void {
  const middleware =
    (
      next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
      context: {
        commandName?: string;
      }
    ) =>
    async (args: { input: Record<string, unknown> }) => {
      const operation = `${service} ${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      calls[operation] = (calls[operation] ?? 0) + 1;
      const queries = args.input['MetricDataQueries'];
      if (Array.isArray(queries)) {
        extra.metrics += queries.length;
        extra.groupedMetrics += metricsIfStatisticsGrouped(queries as MetricDataQuery[]);
      }
      const entries = args.input['Entries'];
      if (Array.isArray(entries) && service === 'EventBridge') extra.entries += entries.length;
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'benchCounter' });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

interface RunOptions {
  realisticSync: boolean;
  label: string;
  /** Seconds after a minute ends before CloudWatch returns it (default 0: at once). */
  publicationDelaySeconds?: number;
  /** Changes to the reference input (what-if runs). */
  overrides?: (draft: MigrationInputDraft) => MigrationInputDraft;
}

let zoneCounter = 0;

async function runOnce(endpoint: string, options: RunOptions): Promise<CostRun> {
  const wallStart = performance.now();
  const config = clientConfig(endpoint);
  // The orchestrator's clients (counted) ...
  const route53 = new Route53Client({ ...config, maxAttempts: 5 });
  const cloudwatch = new CloudWatchClient(config);
  const eventbridge = new EventBridgeClient(config);
  // ... and the simulated environment's (not counted: ECS publishes Service Connect metrics itself).
  const envRoute53 = new Route53Client({ ...config, maxAttempts: 5 });
  const envCloudWatch = new CloudWatchClient(config);
  const apiCalls: Record<string, number> = {};
  const extra = { metrics: 0, groupedMetrics: 0, entries: 0 };
  instrument(route53 as unknown as Countable, 'Route53', apiCalls, extra);
  instrument(cloudwatch as unknown as Countable, 'CloudWatch', apiCalls, extra);
  instrument(eventbridge as unknown as Countable, 'EventBridge', apiCalls, extra);
  // The migration registry (operator control, ownership): its request units from the calls themselves.
  const dynamodb = new DynamoDBClient(config);
  const dynamoDb = countDynamoDbUnits(dynamodb, new DynamoDBClient(config), REGISTRY_KEY_ATTRIBUTE);

  zoneCounter += 1;
  // Every run publishes the same discovery names into the same moto: each gets its own 3 hours, so no run
  // reads (or finds already published) another run's minutes.
  const clock = new VirtualClock(
    new Date(Math.floor(Date.now() / 60_000) * 60_000 - (3 + 3 * zoneCounter) * 3_600_000)
  );
  const startedMs = clock.now().getTime();
  const zone = await seedRehearsalZone(envRoute53, `bench-${zoneCounter}.example.com`);
  const reference = referenceMigration(zone.records);
  const draft = options.overrides?.(reference) ?? reference;
  const input = parseMigrationInput(draft);
  // CloudWatch makes a minute readable `publicationDelaySeconds` after it ends: the model publishes on a
  // clock that far behind (the minute's traffic then follows the weights at its publication, not its end).
  const delayMs = (options.publicationDelaySeconds ?? 0) * 1_000;
  const model = new TrafficModel({
    cloudwatch: envCloudWatch,
    router: new Route53TrafficRouter(envRoute53),
    clock: delayMs === 0 ? clock : { now: () => new Date(clock.now().getTime() - delayMs) },
    records: zone.records,
    namespace: input.metrics.namespace,
    greenDiscoveryNames: input.metrics.greenDiscoveryNames,
    blueDiscoveryNames: input.metrics.blueDiscoveryNames ?? [],
    profile: {
      requestsPerMinute: 3_000,
      blue: () => ({ errorRatePercent: 0.2, latencyAvgMs: 80 }),
      green: () => ({ errorRatePercent: 0.15, latencyAvgMs: 72 }),
    },
    seed: 11,
    from: new Date(startedMs - 10 * 60_000),
  });
  // Green's smoke tests before the run, so preflight finds its HTTP metrics (as in the rehearsal).
  model.greenSyntheticRequestsPerMinute = 20;
  await model.publishUntilNow();
  model.greenSyntheticRequestsPerMinute = 0;

  const router = new Route53TrafficRouter(route53);
  const invocationsByFunction: Record<string, number> = {};
  const durations: number[] = [];
  let platformLogBytes = 0;
  const warm = new Set<string>();
  const taskStarted = new Map<string, number>();
  let evaluations = 0;
  let publicationLooks = 0;
  const onEvent = (event: EngineEvent) => {
    if (event.type === 'task-succeeded' || event.type === 'task-failed') {
      const state = event.state ?? 'unknown';
      invocationsByFunction[state] = (invocationsByFunction[state] ?? 0) + 1;
      const began = taskStarted.get(event.executionArn);
      // Lambda bills each invocation's duration in whole milliseconds, rounded up.
      if (began !== undefined) {
        const ms = Math.ceil(performance.now() - began);
        durations.push(ms);
        // One cold start per function per run: the reference's functions run at least every few minutes.
        platformLogBytes += Buffer.byteLength(
          platformLogLines(ms, LAMBDA_MEMORY_GB * 1024, !warm.has(state))
        );
        warm.add(state);
      }
      if (state === 'EvaluateMetrics' && event.type === 'task-succeeded') {
        evaluations += 1;
        // A publication look that found green's newest minute missing judges nothing (core/publication.ts).
        if (event.output?.evaluation === null) publicationLooks += 1;
      }
    }
    if (event.type === 'recovery')
      invocationsByFunction['OnExecutionEnd'] = (invocationsByFunction['OnExecutionEnd'] ?? 0) + 1;
  };
  const engine = new LocalEngine({
    route53,
    cloudwatch,
    clock,
    dynamodb,
    // A table per run: each run's registry starts empty, as a fresh deployment's would.
    registryTable: `bench-registry-${zoneCounter}`,
    deliverStatusEvents: true,
    notifier: new EventBridgeNotifier(eventbridge, {}),
    ...(options.realisticSync
      ? { router: new RealisticSyncRouter(router, clock, 60) }
      : { router }),
    beforeTask: async ({ executionArn }) => {
      await model.publishUntilNow();
      taskStarted.set(executionArn, performance.now());
    },
    onEvent,
  });
  // The Step Functions control plane the handlers call (DescribeExecution, ListExecutions, ...).
  const stepFunctionsApiCalls: Record<string, number> = {};
  const registry = engine.registry as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [method, operation] of [
    ['describe', 'DescribeExecution'],
    ['list', 'ListExecutions'],
    ['start', 'StartExecution'],
    ['stop', 'StopExecution'],
    ['latestRunState', 'GetExecutionHistory'],
  ] as const) {
    const original = registry[method]?.bind(engine.registry);
    if (original === undefined) continue;
    registry[method] = (...args: unknown[]) => {
      stepFunctionsApiCalls[operation] = (stepFunctionsApiCalls[operation] ?? 0) + 1;
      return original(...args);
    };
  }
  const telemetryCounter = countTelemetry(clock);
  let ends: ExecutionEnd[];
  let telemetry: TelemetryCount;
  try {
    const started = engine.start(draft, `bench-reference-${zoneCounter}`);
    ends = await engine.endOfChain(started.executionArn);
  } finally {
    telemetry = telemetryCounter.stop();
  }
  const last = ends.at(-1) as ExecutionEnd;
  const sorted = [...durations].sort((a, b) => a - b);
  const outcome =
    last.status === 'SUCCEEDED'
      ? ((last.output as RunState | null)?.outcome?.result ?? 'succeeded')
      : `${last.status} ${last.error ?? ''}`.trim();
  return {
    label: options.label,
    virtualMinutes: Math.round((clock.now().getTime() - startedMs) / 600) / 100,
    wallSeconds: Math.round((performance.now() - wallStart) / 10) / 100,
    outcome,
    executions: ends.length,
    stateTransitions: ends.reduce((sum, end) => sum + end.stateTransitions, 0),
    historyEvents: ends.reduce((sum, end) => sum + end.historyEvents, 0),
    lambdaInvocations: Object.values(invocationsByFunction).reduce((sum, n) => sum + n, 0),
    invocationsByFunction,
    evaluations,
    platformLogBytes,
    publicationLooks,
    handlerMs: {
      total: Math.round(sorted.reduce((sum, ms) => sum + ms, 0)),
      median: Math.round(quantile(sorted, 0.5) * 10) / 10,
      p95: Math.round(quantile(sorted, 0.95) * 10) / 10,
      max: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    },
    apiCalls,
    getMetricDataMetrics: extra.metrics,
    getMetricDataMetricsGrouped: extra.groupedMetrics,
    putEventsEntries: extra.entries,
    stepFunctionsApiCalls,
    dynamoDb,
    telemetry,
  };
}

/** Prices one run; Lambda duration at the measured handler times and at the 1 s upper bound. */
export function price(run: CostRun): {
  items: CostBreakdown[];
  totalUsd: number;
  totalUpperUsd: number;
} {
  const gbSecondsMeasured = (run.handlerMs.total / 1_000) * LAMBDA_MEMORY_GB;
  const gbSecondsUpper =
    ((run.lambdaInvocations * LAMBDA_DURATION_UPPER_BOUND_MS) / 1_000) * LAMBDA_MEMORY_GB;
  const listMetrics = run.apiCalls['CloudWatch ListMetrics'] ?? 0;
  const route53Calls = Object.entries(run.apiCalls)
    .filter(([operation]) => operation.startsWith('Route53 '))
    .reduce((sum, [, n]) => sum + n, 0);
  const sfnCalls = Object.values(run.stepFunctionsApiCalls).reduce((sum, n) => sum + n, 0);
  const logBytes =
    run.telemetry.logBytes +
    run.telemetry.emfBytes +
    run.platformLogBytes +
    run.historyEvents * STATE_MACHINE_LOG_BYTES_PER_EVENT;
  // Step Functions passes its trace header to the Lambda tasks: with the state machine traced, each execution
  // is one trace and its invocations are segments of it; on-execution-end (EventBridge) starts its own.
  const stateMachineTraced = /Tracing:\s*\n\s*Enabled: true/.test(
    readFileSync(new URL('../template.yaml', import.meta.url), 'utf8')
  );
  const ownTraces = run.invocationsByFunction['OnExecutionEnd'] ?? 0;
  const xrayTraces = stateMachineTraced
    ? run.executions + ownTraces
    : run.lambdaInvocations + run.executions;
  const registryWru = run.dynamoDb.writeUnits;
  const registryRru = run.dynamoDb.readUnits;
  const registryCalls = Object.entries(run.dynamoDb.calls)
    .map(([operation, n]) => `${operation} ${n}`)
    .join(', ');
  const items: CostBreakdown[] = [
    {
      item: 'Step Functions state transitions',
      quantity: run.stateTransitions,
      unit: 'transitions',
      usd: run.stateTransitions * PRICES.stepFunctionsPerTransition.usd,
      source: PRICES.stepFunctionsPerTransition.source,
    },
    {
      item: 'Lambda requests',
      quantity: run.lambdaInvocations,
      unit: 'invocations',
      usd: run.lambdaInvocations * PRICES.lambdaPerRequest.usd,
      source: PRICES.lambdaPerRequest.source,
    },
    {
      item: 'Lambda duration (upper bound: 1 s per invocation)',
      quantity: Math.round(gbSecondsUpper * 100) / 100,
      unit: 'GB-s',
      usd: gbSecondsUpper * PRICES.lambdaPerGbSecond.usd,
      source: `${PRICES.lambdaPerGbSecond.source}; measured locally: ${Math.round(gbSecondsMeasured * 1000) / 1000} GB-s ($${(gbSecondsMeasured * PRICES.lambdaPerGbSecond.usd).toFixed(6)})`,
    },
    {
      item: 'CloudWatch GetMetricData metrics requested',
      quantity: run.getMetricDataMetrics,
      unit: 'metrics',
      usd: run.getMetricDataMetrics * PRICES.getMetricDataPerMetric.usd,
      source: PRICES.getMetricDataPerMetric.source,
    },
    {
      item: 'CloudWatch ListMetrics requests',
      quantity: listMetrics,
      unit: 'requests',
      usd: listMetrics * PRICES.cloudWatchPerApiRequest.usd,
      source: PRICES.cloudWatchPerApiRequest.source,
    },
    {
      item: 'Route 53 API calls',
      quantity: route53Calls,
      unit: 'calls',
      usd: 0,
      source: PRICES.route53Api.source,
    },
    {
      item: 'EventBridge PutEvents entries',
      quantity: run.putEventsEntries,
      unit: 'events',
      usd: run.putEventsEntries * PRICES.eventBridgePerEvent.usd,
      source: PRICES.eventBridgePerEvent.source,
    },
    {
      item: 'Step Functions API calls',
      quantity: sfnCalls,
      unit: 'calls',
      usd: 0,
      source: PRICES.stepFunctionsApi.source,
    },
    {
      item: `Custom metrics (EMF): ${run.telemetry.customMetrics} metrics over the run`,
      quantity: run.telemetry.customMetricHours,
      unit: 'metric-hours',
      usd: run.telemetry.customMetricHours * PRICES.customMetricPerHour.usd,
      source: `${PRICES.customMetricPerHour.source}; counted: ${run.telemetry.emfLines} EMF lines the handlers wrote, each namespace + metric name + dimension set one metric${run.telemetry.customMetricList.length === 0 ? '' : `: ${run.telemetry.customMetricList.map((m) => `${m.metric} ${m.metricHours}`).join(', ')}`}. The dashboard reads one small log line per judged minute instead (Logs Insights widgets, functions/lib/dashboard-fields.ts): their bytes are in Logs ingestion, and its queries bill $0.005 per GB scanned each time someone views or refreshes it, not per migration (aws.amazon.com/cloudwatch/pricing; UNCONFIRMED)`,
    },
    {
      item: 'CloudWatch Logs ingestion',
      quantity: Math.round(logBytes / 1024),
      unit: 'KB',
      usd: (logBytes / 1024 ** 3) * PRICES.logsIngestionPerGb.usd,
      source: `${PRICES.logsIngestionPerGb.source}; measured: ${run.telemetry.logLines} Logger lines at INFO (${Math.round(run.telemetry.logBytes / 1024)} KB) and ${run.telemetry.emfLines} EMF lines (${Math.round(run.telemetry.emfBytes / 1024)} KB); Lambda START/END/REPORT/XRAY lines rebuilt per measured invocation (${Math.round(run.platformLogBytes / 1024)} KB); ESTIMATED: Step Functions Level ALL ${STATE_MACHINE_LOG_BYTES_PER_EVENT} B per history event (${run.historyEvents} events)`,
    },
    {
      item: 'CloudWatch Logs storage (one month)',
      quantity: Math.round(logBytes / 1024),
      unit: 'KB',
      usd: (logBytes / 1024 ** 3) * PRICES.logsStoragePerGbMonth.usd,
      source: PRICES.logsStoragePerGbMonth.source,
    },
    {
      item: 'X-Ray traces recorded (Tracing Active on every function and the state machine)',
      quantity: xrayTraces,
      unit: 'traces',
      usd: xrayTraces * PRICES.xrayPerTrace.usd,
      source: `${PRICES.xrayPerTrace.source}; counted: ${stateMachineTraced ? `one per execution (${run.executions}; its Lambda tasks are segments of it) and one per on-execution-end invocation (${ownTraces}); Lambda's Active mode continues the upstream trace it is handed (were each invocation its own trace: ${run.lambdaInvocations + run.executions}, $${((run.lambdaInvocations + run.executions) * PRICES.xrayPerTrace.usd).toFixed(4)})` : 'one per Lambda invocation and one per execution'}, every one sampled (the default rule's 1/s reservoir covers this rate); the 100,000 free traces a month are not deducted`,
    },
    {
      item: 'DynamoDB registry writes (on demand)',
      quantity: registryWru,
      unit: 'WRU',
      usd: registryWru * PRICES.dynamoDbPerWriteUnit.usd,
      source: `${PRICES.dynamoDbPerWriteUnit.source}; counted from the calls (${registryCalls}) and the items' sizes (bench/dynamodb-units.ts)`,
    },
    {
      item: 'DynamoDB registry reads (on demand)',
      quantity: registryRru,
      unit: 'RRU',
      usd: registryRru * PRICES.dynamoDbPerReadUnit.usd,
      source: `${PRICES.dynamoDbPerReadUnit.source}; counted from the calls`,
    },
  ];
  const totalUpperUsd = items.reduce((sum, item) => sum + item.usd, 0);
  const totalUsd =
    totalUpperUsd -
    gbSecondsUpper * PRICES.lambdaPerGbSecond.usd +
    gbSecondsMeasured * PRICES.lambdaPerGbSecond.usd;
  return { items, totalUsd, totalUpperUsd };
}

export interface CostResult {
  runs: CostRun[];
  pricing: ReturnType<typeof price>;
  /** GetMetricData metrics per evaluation, and what a run costs with fewer discovery names. */
  metricsPerEvaluation: number;
}

/** The main run first; the others are details and what-ifs on the same moto. */
const RUNS: RunOptions[] = [
  { realisticSync: true, label: 'reference, Route 53 INSYNC after 60 s (as on AWS)' },
  { realisticSync: false, label: "reference, moto's immediate INSYNC" },
  {
    realisticSync: true,
    label: 'what-if dns.syncPollSeconds 15, the former default (INSYNC after 60 s)',
    overrides: (draft) => ({ ...draft, dns: { syncPollSeconds: 15 } }),
  },
  {
    realisticSync: true,
    label: 'what-if plan.evaluationIntervalSeconds 120 (INSYNC after 60 s)',
    overrides: (draft) => ({
      ...draft,
      plan: {
        ...(draft.plan as object),
        evaluationIntervalSeconds: 120,
      } as MigrationInputDraft['plan'],
    }),
  },
  {
    realisticSync: true,
    publicationDelaySeconds: 120,
    label:
      'what-if CloudWatch publishes each minute 120 s after it ends (about 2 min: aws-facts.md 1.1), so the 90-s first look waits (INSYNC after 60 s)',
  },
  {
    realisticSync: true,
    label: 'what-if one green discovery name, no blue baseline (INSYNC after 60 s)',
    overrides: (draft) => ({ ...draft, metrics: { greenDiscoveryNames: ['orders'] } }),
  },
];

export async function runCost(
  onProgress: (message: string) => void = () => {}
): Promise<CostResult> {
  let moto: Moto | undefined;
  try {
    onProgress('  starting moto_server');
    moto = await startMoto({ handleSignals: true });
    const runs: CostRun[] = [];
    for (const options of RUNS) {
      const run = await runOnce(moto.endpoint, options);
      runs.push(run);
      const { totalUpperUsd } = price(run);
      onProgress(
        `  ${options.label}: ${run.outcome}, ${run.stateTransitions} transitions, $${totalUpperUsd.toFixed(4)}, ${run.wallSeconds} s wall`
      );
    }
    const main = runs[0] as CostRun;
    return {
      runs,
      pricing: price(main),
      metricsPerEvaluation:
        main.evaluations === 0 ? 0 : main.getMetricDataMetrics / main.evaluations,
    };
  } finally {
    await moto?.stop();
  }
}
