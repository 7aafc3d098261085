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
import type { Assessment, WeightedPair } from '../functions/core/types.ts';
import { isAtSnapshot } from '../functions/core/weights.ts';
import { type EngineEvent, type ExecutionEnd, LocalEngine, VirtualClock } from './local-engine.ts';
import { rehearsalInput, type Scenario } from './scenarios.ts';
import { seedRehearsalZone } from './seed.ts';
import { seedInputZones } from './seed-input.ts';
import { TrafficModel } from './traffic-model.ts';

/** Exit codes shared by `rehearse` and `run-local`. */
export const ExitCode = {
  Completed: 0,
  Error: 1,
  RolledBack: 2,
  Aborted: 3,
  InvalidInput: 4,
  StoppedOnDrift: 5,
  /** `rollback` of a finished migration whose records are not at its snapshot (nothing changed). */
  NotAtSnapshot: 6,
  /** Preflight refused the run (records owned by another migration, or not as the run needs them): nothing written. */
  Refused: 7,
} as const;
/** The errors with which Preflight refuses a run before its first write (the PreflightFailed state). */
export const REFUSAL_ERRORS: readonly string[] = ['PreflightFailedError', 'RunLockedError'];
export type Outcome =
  | 'completed'
  | 'rolled-back'
  | 'aborted'
  | 'stopped-on-drift'
  | 'invalid-input'
  | 'refused'
  | 'failed'
  /** Only in a report rebuilt from the history of an execution that has not ended yet. */
  | 'running';

export interface TimelinePoint {
  /** Virtual time, ISO-8601. */
  at: string;
  state: string;
  greenPercent: number;
  /** Overall green error rate (percent) of this evaluation, when measured. */
  errorRatePercent: number | null;
  /** Green's overall average latency (the absolute check's value, else the baseline check's). */
  latencyAvgMs: number | null;
  verdict: string | null;
  action: string | null;
  reason: string | null;
  /** Requests behind the error rate. */
  requests?: number | null;
  /** The blue-relative limits of this evaluation (they move with blue), when a baseline is configured. */
  errorRateBaselineLimitPercent?: number | null;
  latencyBaselineLimitMs?: number | null;
}

export interface RehearsalMarker {
  at: string;
  kind: 'shift' | 'rollback' | 'abort' | 'recovery' | 'complete';
  label: string;
}

export interface RunReport {
  title: string;
  migrationId: string;
  executionArn: string;
  outcome: Outcome;
  exitCode: number;
  reason: string;
  startedAt: string;
  endedAt: string;
  timeline: TimelinePoint[];
  markers: RehearsalMarker[];
  limits: { errorRateMaxPercent: number; latencyAvgMaxMs: number | null };
  snapshot: WeightedPair[];
  finalPairs: WeightedPair[];
  atSnapshot: boolean;
  historyEvents: number;
  stateTransitions: number;
  /** The plan's green percents (from the run state), when known. */
  plannedSteps?: number[];
  /** Whose clock the times are on: a local run's virtual clock, or AWS's. */
  clock?: 'virtual' | 'real';
  /** The validated input the run used (defaults filled), and where it came from. */
  input?: MigrationInput;
  inputSource?: string;
}

/** Where the run stands after a shift or an evaluation. */
export interface ProgressPosition {
  stepIndex: number;
  steps: number[];
  greenPercent: number;
  weights: RunState['expected'];
}

export interface ProgressEvent {
  at: string;
  message: string;
  point?: TimelinePoint;
  kind?:
    | 'start'
    | 'shift'
    | 'evaluation'
    | 'rollback'
    | 'complete'
    | 'recovery'
    | 'task-failed'
    | 'stop'
    | 'wait';
  position?: ProgressPosition;
  /** A `wait` event: when the wait ends (the next state runs). */
  until?: string;
}

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

const overallAssessment = (assessments: readonly Assessment[], check: string) =>
  assessments.find((assessment) => assessment.check === check && assessment.scope === 'overall');
const overall = (assessments: readonly Assessment[], check: string) =>
  overallAssessment(assessments, check)?.value ?? null;

function positionOf(state: RunState): ProgressPosition {
  return {
    stepIndex: state.status.stepIndex,
    steps: state.steps,
    greenPercent: state.status.greenPercent,
    weights: state.expected,
  };
}

/** Turns engine events into the timeline and markers of a report. */
export class TimelineRecorder {
  readonly timeline: TimelinePoint[] = [];
  readonly markers: RehearsalMarker[] = [];
  /** The newest RunState a Task returned. */
  lastState: RunState | null = null;
  /**
   * Set once a stop is requested: a Task still running then finishes, but StopExecution discards its result
   * (the history ends with ExecutionAborted), so it is neither shown nor recorded.
   */
  stopped = false;
  private readonly onProgress: ((event: ProgressEvent) => void) | undefined;

  constructor(onProgress?: (event: ProgressEvent) => void) {
    this.onProgress = onProgress;
  }

  record(event: EngineEvent): void {
    const state = event.output;
    if (event.type === 'task-succeeded' && state !== undefined && !this.stopped) {
      if (state !== null && Array.isArray(state.snapshot)) this.lastState = state;
      if (event.state === 'ShiftTraffic') {
        this.markers.push({ at: event.at, kind: 'shift', label: `${state.status.greenPercent}%` });
        this.onProgress?.({
          at: event.at,
          message: `shifted to ${state.status.greenPercent}% green (${weightsText(state)})`,
          kind: 'shift',
          position: positionOf(state),
        });
        this.onProgress?.(
          waitEvent(event.at, state, 'for Route 53 to report the change INSYNC (GetChange)')
        );
      }
      if (event.state === 'CheckDnsSync') {
        const judgingFrom = state.status.judgingFrom;
        const ttlSeconds =
          judgingFrom === null || judgingFrom === undefined
            ? 0
            : Math.round((Date.parse(judgingFrom) - Date.parse(event.at)) / 1_000);
        const { periodSeconds, publicationDelaySeconds } = state.input.metrics;
        this.onProgress?.(
          waitEvent(
            event.at,
            state,
            state.change.synced
              ? `INSYNC; waiting out the TTL (${ttlSeconds} s), one full ${periodSeconds} s metric period and the ${publicationDelaySeconds} s publication delay before the first evaluation`
              : 'not INSYNC yet; polling GetChange again'
          )
        );
      }
      if (event.state === 'EvaluateMetrics' && state.evaluation !== null) {
        const point: TimelinePoint = {
          at: event.at,
          state: 'EvaluateMetrics',
          greenPercent: state.status.greenPercent,
          errorRatePercent: overall(state.evaluation.assessments, 'errorRate'),
          latencyAvgMs:
            overall(state.evaluation.assessments, 'latencyAvg') ??
            overall(state.evaluation.assessments, 'baselineLatencyAvg'),
          verdict: state.evaluation.verdict,
          action: state.decision?.action ?? null,
          reason: state.decision?.reason ?? state.evaluation.reason,
          requests:
            overallAssessment(state.evaluation.assessments, 'errorRate')?.sampleSize ?? null,
          errorRateBaselineLimitPercent:
            overallAssessment(state.evaluation.assessments, 'baselineErrorRate')?.limit ?? null,
          latencyBaselineLimitMs:
            overallAssessment(state.evaluation.assessments, 'baselineLatencyAvg')?.limit ?? null,
        };
        this.timeline.push(point);
        this.onProgress?.({
          at: event.at,
          message: `${point.verdict}: ${state.evaluation.reason} -> ${point.action}`,
          point,
          kind: 'evaluation',
          position: positionOf(state),
        });
      }
      if (event.state === 'Rollback') {
        this.markers.push({ at: event.at, kind: 'rollback', label: 'rollback' });
        this.onProgress?.({
          at: event.at,
          message: `rolled back: ${state.outcome?.reason ?? ''}`,
          kind: 'rollback',
          position: positionOf(state),
        });
      }
      if (event.state === 'Complete') {
        this.markers.push({ at: event.at, kind: 'complete', label: 'completed' });
        this.onProgress?.({
          at: event.at,
          message: `completed: ${state.outcome?.reason ?? ''}`,
          kind: 'complete',
          position: positionOf(state),
        });
      }
    }
    if (event.type === 'recovery' && event.recovery !== undefined) {
      this.markers.push({
        at: event.at,
        kind: 'recovery',
        label: event.recovery.restored ? 'snapshot restored' : 'nothing to restore',
      });
      this.onProgress?.({
        at: event.at,
        message: `on-execution-end: ${event.recovery.action} (${event.recovery.reason})`,
        kind: 'recovery',
      });
    }
    if (event.type === 'task-failed') {
      this.onProgress?.({
        at: event.at,
        message: `${event.state} failed: ${event.error}: ${event.cause}`,
        kind: 'task-failed',
      });
    }
  }
}

function waitEvent(at: string, state: RunState, what: string): ProgressEvent {
  return {
    at,
    message: what,
    kind: 'wait',
    until: new Date(Date.parse(at) + state.waitSeconds * 1_000).toISOString(),
  };
}

function weightsText(state: RunState): string {
  return state.expected
    .map((pair) => `${pair.name} blue ${pair.blueWeight} / green ${pair.greenWeight}`)
    .join(', ');
}

/** Maps how an execution ended to an outcome and exit code. */
export function outcomeOf(end: Pick<ExecutionEnd, 'status' | 'error' | 'cause' | 'output'>): {
  outcome: Outcome;
  exitCode: number;
  reason: string;
} {
  if (end.status === 'SUCCEEDED')
    return {
      outcome: 'completed',
      exitCode: ExitCode.Completed,
      reason: end.output?.outcome?.reason ?? 'completed',
    };
  if (end.status === 'ABORTED')
    return { outcome: 'aborted', exitCode: ExitCode.Aborted, reason: 'execution stopped' };
  const reason = end.cause ?? end.error ?? end.status;
  if (end.error === 'RolledBack')
    return { outcome: 'rolled-back', exitCode: ExitCode.RolledBack, reason };
  if (end.error === 'StoppedOnDrift')
    return { outcome: 'stopped-on-drift', exitCode: ExitCode.StoppedOnDrift, reason };
  if (end.error === 'InvalidInputError' || reason.includes('InvalidInputError'))
    return { outcome: 'invalid-input', exitCode: ExitCode.InvalidInput, reason };
  if (end.error !== null && end.error !== undefined && REFUSAL_ERRORS.includes(end.error))
    return { outcome: 'refused', exitCode: ExitCode.Refused, reason };
  return { outcome: 'failed', exitCode: ExitCode.Error, reason };
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
  if (options.input === undefined) {
    const zone = await seedRehearsalZone(route53);
    input = rehearsalInput(scenario, zone.records);
  } else {
    const seeded = await seedInputZones(route53, options.input.input);
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

/** What a finished local run (rehearsal or run-local) reports, from its executions and recorded timeline. */
export function runReportOf(run: {
  title: string;
  input: Pick<MigrationInput, 'migrationId' | 'thresholds'>;
  executionArn: string;
  ends: readonly ExecutionEnd[];
  recorder: TimelineRecorder;
  snapshot: WeightedPair[];
  finalPairs: WeightedPair[];
  now: Date;
  startedAt: string;
}): RunReport {
  const last = run.ends.at(-1) as ExecutionEnd;
  const { outcome, exitCode, reason } = outcomeOf(last);
  if (last.status === 'ABORTED') {
    run.recorder.markers.push({ at: run.now.toISOString(), kind: 'abort', label: 'aborted' });
  }
  return {
    title: run.title,
    migrationId: run.input.migrationId,
    executionArn: run.executionArn,
    outcome,
    exitCode,
    reason: last.recovery ? `${reason}; on-execution-end: ${last.recovery.reason}` : reason,
    startedAt: run.startedAt,
    endedAt: run.now.toISOString(),
    timeline: run.recorder.timeline,
    markers: run.recorder.markers,
    limits: {
      errorRateMaxPercent: run.input.thresholds.errorRateMaxPercent,
      latencyAvgMaxMs: run.input.thresholds.latencyAvgMaxMs ?? null,
    },
    snapshot: run.snapshot,
    finalPairs: run.finalPairs,
    atSnapshot:
      run.snapshot.length > 0 &&
      run.finalPairs.length > 0 &&
      isAtSnapshot(run.finalPairs, run.snapshot),
    historyEvents: run.ends.reduce((sum, end) => sum + end.historyEvents, 0),
    stateTransitions: run.ends.reduce((sum, end) => sum + end.stateTransitions, 0),
    plannedSteps: run.recorder.lastState?.steps ?? [],
  };
}
