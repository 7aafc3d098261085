/**
 * A whole migration, locally: the real state machine and handlers in the local engine against a moto server,
 * fed by the closed-loop traffic model. Returns a timeline a person (or a test) can read.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53TrafficRouter } from '../functions/adapters/route53-traffic-router.ts';
import {
  type MigrationInput,
  type MigrationInputDraft,
  parseMigrationInput,
} from '../functions/core/input.ts';
import { expandSteps } from '../functions/core/plan.ts';
import type { RunState } from '../functions/core/state.ts';
import { scriptedGateAnswers } from './gate-script.ts';
import { type ExecutionEnd, LocalEngine, VirtualClock } from './local-engine.ts';
import { type ProgressEvent, type RunReport, runReportOf } from './run-report.ts';
import { rehearsalInput, type Scenario } from './scenarios.ts';
import { seedRehearsalZone } from './seed.ts';
import { describeEdge, edgeNamesFor, type SeededEdge, seedEdgeLoadBalancers } from './seed-edge.ts';
import { seedInputZones, seedsAsAlias } from './seed-input.ts';
import { TimelineRecorder } from './timeline-recorder.ts';
import { TrafficModel } from './traffic-model.ts';

export {
  ExitCode,
  type Outcome,
  outcomeOf,
  type ProgressEvent,
  type ProgressPosition,
  REFUSAL_ERRORS,
  type RehearsalMarker,
  type RunReport,
  runReportOf,
  type TimelinePoint,
} from './run-report.ts';
export { TimelineRecorder } from './timeline-recorder.ts';

export interface RehearsalOptions {
  scenario: Scenario;
  /** A user's own input (`rehearse --input`): the zone is seeded from its records; the scenario only says what green does. */
  input?: { input: MigrationInput; source: string };
  /** moto endpoint, e.g. http://127.0.0.1:5123 */
  endpoint: string;
  abortAtStep?: number;
  seed?: number;
  /** Real milliseconds per virtual second of waiting (0: as fast as possible). */
  realMsPerVirtualSecond?: number;
  onProgress?: (event: ProgressEvent) => void;
  /** Ctrl-C: stop the execution the way StopExecution does. */
  signal?: AbortSignal;
  /** Lets tests attach SDK middleware (record change batches, inject faults) before the run. */
  instrument?: (clients: ReturnType<typeof clientsFor>) => void;
  /** The migration registry table in moto's DynamoDB (default `traffic-shift-migrations`), created on demand. */
  registryTable?: string;
}

export function clientsFor(endpoint: string) {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return {
    route53: new Route53Client({ ...config, maxAttempts: 5 }),
    cloudwatch: new CloudWatchClient(config),
    dynamodb: new DynamoDBClient({ ...config, maxAttempts: 5 }),
  };
}

/** Runs one rehearsal scenario against a moto server and reports what happened. */
export async function runRehearsal(options: RehearsalOptions): Promise<RunReport> {
  const { scenario } = options;
  const clients = clientsFor(options.endpoint);
  options.instrument?.(clients);
  const { route53, cloudwatch, dynamodb } = clients;
  const router = new Route53TrafficRouter(route53);
  // Virtual time starts in the past so every datapoint is within CloudWatch's accepted range (2 weeks back).
  const clock = new VirtualClock(
    new Date(Math.floor(Date.now() / 60_000) * 60_000 - 6 * 3_600_000)
  );
  const startedAt = clock.now().toISOString();
  let input: MigrationInputDraft;
  // One edge ALB per environment, the alias records' targets (an input without aliases gets none).
  let edge: SeededEdge | undefined;
  if (options.input === undefined) {
    edge = await seedEdgeLoadBalancers(options.endpoint, {
      blue: 'blue-appmesh-edge',
      green: 'green-sc-edge',
    });
    const zone = await seedRehearsalZone(route53, undefined, edge);
    input = rehearsalInput(scenario, zone.records);
  } else {
    const { records, migrationId } = options.input.input;
    if (records.some((record) => seedsAsAlias(record.type))) {
      edge = await seedEdgeLoadBalancers(options.endpoint, edgeNamesFor(migrationId), {
        ipv6: records.some((record) => record.type === 'AAAA'),
      });
      options.onProgress?.({ at: startedAt, message: `seeded ${describeEdge(edge)}` });
    }
    const seeded = await seedInputZones(route53, options.input.input, edge);
    for (const line of seeded.lines)
      options.onProgress?.({ at: startedAt, message: `seeded ${line}` });
    input = { ...options.input.input, records: seeded.records };
  }
  const parsed = parseMigrationInput(input);
  const model = new TrafficModel({
    cloudwatch,
    router,
    clock,
    records: parsed.records,
    namespace: parsed.metrics.namespace,
    greenDiscoveryNames: parsed.metrics.greenDiscoveryNames,
    blueDiscoveryNames: parsed.metrics.blueDiscoveryNames ?? [],
    ...(edge === undefined
      ? {}
      : { edge: { blue: edge.blue.dimension, green: edge.green.dimension } }),
    profile: scenario.profile,
    seed: options.seed ?? 7,
    from: new Date(clock.now().getTime() - 10 * 60_000),
  });
  // Ten minutes of history before the run: blue's production traffic and green's smoke tests, so preflight
  // finds both environments' HTTP metrics, as it would after a team has tested green.
  model.greenSyntheticRequestsPerMinute = 20;
  await model.publishUntilNow();
  model.greenSyntheticRequestsPerMinute = 0;
  const recorder = new TimelineRecorder(options.onProgress);
  const steps = expandSteps(parsed.plan);
  const abortAtStep =
    options.abortAtStep ??
    (scenario.abortAtStep === undefined
      ? undefined
      : Math.min(scenario.abortAtStep, steps.length - 1));
  const stopWhy =
    options.abortAtStep === undefined
      ? `scenario ${scenario.name}: an operator stops during the bake of step ${(abortAtStep ?? 0) + 1} of ${steps.length}`
      : `--abort-at-step ${abortAtStep}`;
  let engine: LocalEngine | undefined;
  let executionArn = '';
  let stopRequested = false;
  const requestStop = (why: string) => {
    if (stopRequested || engine === undefined) return;
    stopRequested = true;
    recorder.stopped = true;
    options.onProgress?.({
      at: clock.now().toISOString(),
      message: `stopping the execution (${why})`,
      kind: 'stop',
    });
    void engine.stop(executionArn, 'OperatorAbort', why);
  };
  engine = new LocalEngine({
    route53,
    cloudwatch,
    dynamodb,
    ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
    clock,
    deliverStatusEvents: true,
    realMsPerVirtualSecond: options.realMsPerVirtualSecond ?? 0,
    beforeTask: async ({ state, payload }) => {
      await model.publishUntilNow();
      const run = payload as Partial<RunState>;
      if (
        abortAtStep !== undefined &&
        state === 'EvaluateMetrics' &&
        run.status?.stepIndex === abortAtStep &&
        (run.status?.stepEvaluations ?? 0) >= 1
      ) {
        requestStop(stopWhy);
      }
    },
    onEvent: (event) => recorder.record(event),
    onGateWaiting: scriptedGateAnswers({
      answers: scenario.gateAnswers ?? [],
      engine: () => engine as LocalEngine,
      clock,
      say: (message, at) => options.onProgress?.({ at, message }),
    }),
  });
  const onSignal = () => requestStop('interrupted');
  options.signal?.addEventListener('abort', onSignal);
  options.onProgress?.({
    at: startedAt,
    message:
      options.input === undefined
        ? `scenario ${scenario.name}: ${scenario.description}`
        : `${options.input.source} with green behaving as scenario ${scenario.name}: ${scenario.greenBehaviour}`,
    kind: 'start',
  });
  const started = engine.start(input, `${parsed.migrationId}-${Date.now()}`);
  executionArn = started.executionArn;
  if (options.signal?.aborted) onSignal();
  const ends = await engine.endOfChain(executionArn);
  options.signal?.removeEventListener('abort', onSignal);
  const last = ends.at(-1) as ExecutionEnd;
  const snapshot =
    last.output?.snapshot ?? (await engine.registry.latestRunState(executionArn))?.snapshot ?? [];
  const finalPairs = await router.readPairs(parsed.records);
  const report = runReportOf({
    title:
      options.input === undefined
        ? `traffic-shift rehearsal: ${scenario.name}`
        : `traffic-shift rehearsal: ${parsed.migrationId} (${scenario.name})`,
    input: parsed,
    executionArn,
    ends,
    recorder,
    snapshot,
    finalPairs,
    now: clock.now(),
    startedAt,
  });
  report.input = parsed;
  report.inputSource =
    options.input?.source ??
    `scenario ${scenario.name}: the documented defaults${scenario.inputWhy ? `, except ${scenario.inputWhy}` : ''}`;
  return report;
}
