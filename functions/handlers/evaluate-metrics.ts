/**
 * EvaluateMetrics: reads every source for the current window (Service Connect, the edge load balancers and the
 * custom queries in one GetMetricData call; the alarms with DescribeAlarms), judges them and decides. A
 * regression is a decision (`rollback`) returned as data, never an exception.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CloudWatchAlarms } from '../adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { blueDrainedFrom, drainedBlueReading, isBlueDrained } from '../core/blue-drained.ts';
import { foldEnds, foldReading, foldSpan, notJudgedYet } from '../core/cadence-fold.ts';
import { type ControlState, controlledDecision } from '../core/control.ts';
import { EDGE_SOURCE } from '../core/edge-verdicts.ts';
import { type GateState, rollbackAtHeldGate } from '../core/gates.ts';
import { metricStatistics } from '../core/metric-statistics.ts';
import { awaitPublication, lookSettings } from '../core/publication.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import { afterEvaluation } from '../core/run.ts';
import {
  assessSources,
  type SourceReadings,
  sourceQueries,
  withSources,
} from '../core/source-judge.ts';
import type {
  AlarmReader,
  Clock,
  CombinedReading,
  MetricSource,
  Notifier,
  RunState,
} from '../core/state.ts';
import type { Evaluation, MetricReading, TimeWindow } from '../core/types.ts';
import { Action, Verdict } from '../core/types.ts';
import { backlogStart, evaluate } from '../core/verdict.ts';
import { evaluationWindow } from '../core/window.ts';
import { systemClock } from '../lib/clock.ts';
import { MINUTE_JUDGED, minuteJudgedLine } from '../lib/dashboard-fields.ts';
import { lazy } from '../lib/lazy.ts';
import { lambda } from '../lib/middy.ts';
import { notifySafely } from '../lib/notify.ts';
import { logger } from '../lib/powertools.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface EvaluateMetricsDeps {
  metrics: MetricSource;
  clock: Clock;
  notifier?: Notifier;
  /** Needed when the input names `alarms` (without it they read as Error). */
  alarms?: AlarmReader;
  /** Where operator control is read (pause, promote: core/control.ts); absent: no control. */
  registry?: Pick<MigrationRegistry, 'get'>;
}

/**
 * The operator's requests (and the approval gate) for this migration, read at every evaluation. Unreadable
 * (registry busy or down): `unknown`, and the run holds rather than advance past a pause it cannot see.
 */
async function readOperatorState(
  registry: EvaluateMetricsDeps['registry'],
  migrationId: string
): Promise<{ control: ControlState | null; gate: GateState | undefined } | 'unknown'> {
  if (registry === undefined) return { control: null, gate: undefined };
  try {
    const entry = await registry.get(migrationId);
    return { control: entry?.control ?? null, gate: entry?.gate };
  } catch (error) {
    logger.warn('control unreadable: holding instead of advancing', { migrationId, error });
    return 'unknown';
  }
}

/** The judge's decision after the operator's requests (design.md "Operator control"). */
function withControl(
  state: RunState,
  control: ControlState | null | 'unknown',
  now: Date
): RunState {
  const decision = state.decision;
  if (decision === null || control === null || state.evaluation === null) return state;
  if (control === 'unknown') {
    if (decision.action !== Action.Advance && decision.action !== Action.Complete) return state;
    const reason = `operator control unreadable (migration registry): holding; ${decision.reason}`;
    return { ...state, decision: { action: Action.Hold, reason } };
  }
  const controlled = controlledDecision({
    decision,
    greenPercent: state.status.greenPercent,
    verdict: state.evaluation.verdict,
    control,
    now,
    gates: state.input.plan.gates,
  });
  return { ...state, decision: controlled };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function readAlarms(
  names: readonly string[],
  reader: AlarmReader | undefined
): Promise<SourceReadings['alarms']> {
  if (names.length === 0) return { reports: [], failure: null };
  if (reader === undefined) return { reports: null, failure: 'no alarm reader configured' };
  try {
    return { reports: await reader.describe(names), failure: null };
  } catch (error) {
    // A failed alarm read is an Error verdict (counted), like a failed metric read: never an exception.
    return { reports: null, failure: describeError(error) };
  }
}

function withoutCadence(state: RunState): RunState {
  const { cadence: _cadence, ...rest } = state;
  return rest;
}

/** A quiet look's minutes judged one by one (core/cadence-fold.ts): the state before the last, and the last. */
interface Folded {
  folded: RunState;
  evaluation: Evaluation;
  /** Every minute's evaluation, oldest first, ending with `evaluation`. */
  minutes: Evaluation[];
  refoldThrough: string | undefined;
}

/**
 * Reads green, and blue only once green's newest minute is there: a look that finds it unpublished
 * returns the polled state (publication.ts) without reading blue or judging. After a quiet wait
 * (core/cadence.ts) one read covers every new minute, judged one by one. Blue found drained at 100 %
 * (core/blue-drained.ts) is not read: it is judged as read with no datapoints. `seen.blue` is what a judged
 * look read of blue (null: not read).
 */
async function judge(
  state: RunState,
  window: TimeWindow,
  deps: EvaluateMetricsDeps,
  now: Date,
  seen: { blue: MetricReading | null }
): Promise<Evaluation | RunState | Folded> {
  const source = deps.metrics;
  const settings = state.input.metrics;
  const ends = foldEnds(state.cadence, window, state.input);
  const span = ends.length > 1 ? foldSpan(state, ends) : null;
  const query = {
    namespace: settings.namespace,
    window: span ?? window,
    periodSeconds: settings.periodSeconds,
  };
  const statistics = metricStatistics(state.input);
  const blueNames = settings.blueDiscoveryNames ?? [];
  const green = { ...query, ...statistics.green, targets: settings.greenDiscoveryNames };
  const blueConfigured = statistics.blue !== null && blueNames.length > 0;
  const drained = blueConfigured && isBlueDrained(state.status);
  const blue =
    statistics.blue !== null && blueConfigured && !drained
      ? { ...query, ...statistics.blue, targets: blueNames }
      : null;
  const edge = state.edge ?? [];
  const series = sourceQueries(state.input, edge, window);
  // The minutes of the shift's ramp, for the sequential tests only: status counts, no latency.
  // The backlog is Service Connect's: the edge's tests (`edge:<check>`) are fed from the window only.
  const serviceConnectStates = Object.fromEntries(
    Object.entries(state.status.sequential ?? {}).filter(
      ([key]) => !key.startsWith(`${EDGE_SOURCE}:`)
    )
  );
  const from = backlogStart(serviceConnectStates, window, settings.windowSeconds);
  // Would a look that finds nothing published wait again? Then green's counts are read first, and the
  // rest only once the newest minute is there (GetMetricData bills every metric requested).
  const mayWait = awaitPublication(state, window, { kind: 'ok', services: [] }, now) !== null;
  const judgeable = (greenCounts: MetricReading) =>
    awaitPublication(state, window, greenCounts, now) === null;
  const [read, alarms]: [CombinedReading, SourceReadings['alarms']] = await Promise.all([
    source.readAll
      ? source.readAll({
          green,
          blue,
          series,
          // A quiet look's span already starts at the backlog (foldSpan): each minute's is cut from it.
          backlogFrom: span === null ? from : null,
          ...(mayWait ? { judgeable } : {}),
        })
      : Promise.all([source.read(green), blue === null ? null : source.read(blue)]).then(
          ([greenReading, blueReading]): CombinedReading => ({
            green: greenReading,
            blue: blueReading,
            series: {
              kind: 'unavailable',
              reason: 'this metric source reads Service Connect only',
            },
          })
        ),
    readAlarms(state.input.alarms ?? [], deps.alarms),
  ]);
  const polled = awaitPublication(state, window, read.green, now);
  if (polled !== null) {
    // Green's newest minute is not published yet: look again soon, unless an alarm already demands a rollback.
    const alarmed = assessSources(state.input, null, { edge: [], series: null, alarms });
    if (alarmed.immediateRollback === null) return polled;
    return withSources(notJudgedYet(), alarmed.assessments, alarmed.immediateRollback);
  }
  seen.blue = read.blue;
  const reading = drained ? { ...read, blue: drainedBlueReading(blueNames) } : read;
  if (span !== null) {
    // A source without per-period values: judge the window as one evaluation, from a read of it alone.
    const look = foldReading(state, window, ends, reading, now);
    if (look === null) return judge(withoutCadence(state), window, deps, now, seen);
    return {
      folded: look.state,
      evaluation: look.evaluation,
      minutes: look.minutes,
      refoldThrough: look.refoldThrough,
    };
  }
  // Read with green's counts by readAll; a source without it reads the backlog on its own.
  const backlog =
    from === null
      ? null
      : reading.backlog !== undefined
        ? reading.backlog
        : await source.read({
            ...query,
            window: { start: from, end: window.start },
            includeP99: false,
            includeLatencyAvg: false,
            includeLatencyMax: false,
            targets: settings.greenDiscoveryNames,
          });
  const serviceConnect = evaluate(
    reading.green,
    reading.blue,
    state.input,
    window,
    state.status.blueLatency ?? null,
    state.status.sequential ?? null,
    backlog
  );
  const sources = assessSources(
    state.input,
    window,
    { edge, series: series.length === 0 ? null : reading.series, alarms },
    state.status.sequential ?? {}
  );
  const judged = withSources(serviceConnect, sources.assessments, sources.immediateRollback);
  if (Object.keys(sources.sequential).length === 0) return judged;
  // Both tests' states travel together in the status (decide keeps `evaluation.sequential`).
  return {
    ...judged,
    sequential: {
      ...(serviceConnect.sequential ?? state.status.sequential ?? {}),
      ...sources.sequential,
    },
  };
}

/** No new metric window yet: the alarms are still read, so one in ALARM rolls back at this evaluation. */
async function withoutWindow(state: RunState, deps: EvaluateMetricsDeps): Promise<Evaluation> {
  const alarms = await readAlarms(state.input.alarms ?? [], deps.alarms);
  const sources = assessSources(state.input, null, { edge: [], series: null, alarms });
  return withSources(notJudgedYet(), sources.assessments, sources.immediateRollback);
}

export async function evaluateMetrics(
  state: RunState,
  deps: EvaluateMetricsDeps
): Promise<RunState> {
  const now = deps.clock.now();
  const operator = await readOperatorState(deps.registry, state.input.migrationId);
  const control = operator === 'unknown' ? 'unknown' : operator.control;
  // promote --full at 100 %: no analysis, by the operator's explicit choice (core/control.ts).
  const unjudged =
    typeof control === 'object' &&
    control?.promote?.full === true &&
    state.status.greenPercent >= 100;
  // The window starts at the status's cursor: consecutive evaluations judge new data (design.md §4 "Window").
  const window = unjudged ? null : evaluationWindow(now, state.status, lookSettings(state));
  const seen: { blue: MetricReading | null } = { blue: null };
  const judged: Evaluation | RunState | Folded = unjudged
    ? {
        verdict: Verdict.Inconclusive,
        reason: 'not judged: promoted with --full (no analysis)',
        assessments: [],
        window: null,
      }
    : window === null
      ? await withoutWindow(state, deps)
      : await judge(state, window, deps, now, seen);
  if ('input' in judged) {
    logger.info('awaiting publication', {
      migrationId: state.input.migrationId,
      window,
      decision: judged.decision,
    });
    return judged;
  }
  const evaluation = 'folded' in judged ? judged.evaluation : judged;
  // An operator request or an open gate can act at any minute: keep looking every minute (core/cadence.ts).
  const operatorPending =
    operator === 'unknown' ||
    (operator.control !== null &&
      (operator.control.pause !== null || operator.control.promote !== null)) ||
    (operator.gate !== undefined && operator.gate.closedAt === null);
  const base = 'folded' in judged ? judged.folded : state;
  const refoldThrough = 'folded' in judged ? judged.refoldThrough : undefined;
  const controlled = withControl(
    afterEvaluation(base, evaluation, now, operatorPending, refoldThrough),
    control,
    now
  );
  // A reject or a rollback deadline of a gate the run holds at is taken now (core/gates.ts).
  const gated =
    operator === 'unknown' || controlled.decision === null
      ? controlled
      : {
          ...controlled,
          decision: rollbackAtHeldGate(operator.gate, controlled.decision, now),
        };
  // Only a look that read blue can find it drained (`seen.blue`; core/blue-drained.ts).
  const drainedFrom =
    window === null
      ? (state.status.blueDrainedFrom ?? null)
      : blueDrainedFrom({
          status: state.status,
          blue: seen.blue,
          window,
          minRequests: state.input.thresholds.minRequests,
        });
  const next =
    drainedFrom === (gated.status.blueDrainedFrom ?? null)
      ? gated
      : { ...gated, status: { ...gated.status, blueDrainedFrom: drainedFrom } };
  // The dashboard reads one small line per judged minute (lib/dashboard-fields.ts), in order: a quiet look
  // judges several minutes; this `evaluated` line stays the audit trail of the look.
  for (const minute of 'folded' in judged ? judged.minutes : [evaluation]) {
    const line = minuteJudgedLine(state.input.migrationId, state.status.greenPercent, minute);
    if (line !== null) logger.info(MINUTE_JUDGED, line);
  }
  logger.info('evaluated', {
    migrationId: state.input.migrationId,
    greenPercent: state.status.greenPercent,
    window: evaluation.window,
    verdict: evaluation.verdict,
    assessments: evaluation.assessments,
    decision: next.decision,
    status: next.status,
  });
  // The step is done when the run moves on from it; the shift itself is announced by its weights.
  if (next.decision?.action === Action.Advance || next.decision?.action === Action.Complete) {
    await notifySafely(deps.notifier, {
      type: 'StepCompleted',
      migrationId: state.input.migrationId,
      executionArn: state.run.executionArn,
      greenPercent: state.status.greenPercent,
      reason: next.decision.reason,
      at: now.toISOString(),
    });
  }
  return next;
}

export function createEvaluateMetricsHandler(deps: EvaluateMetricsDeps) {
  return lambda((state: RunState) => evaluateMetrics(state, deps));
}

const cloudwatch = new CloudWatchClient({});
export const handler = createEvaluateMetricsHandler({
  metrics: new CloudWatchMetricSource(cloudwatch),
  alarms: new CloudWatchAlarms(cloudwatch),
  // Only a completed step notifies: most evaluations never need the client.
  notifier: lazy(() => new EventBridgeNotifier(new EventBridgeClient({}), {})),
  clock: systemClock,
  registry: registryFromEnv(),
});
