/**
 * One look of EvaluateMetrics: reads every source for the window (Service Connect, the edge load balancers and
 * the custom queries in one GetMetricData call; the alarms with DescribeAlarms) and judges them with the core.
 * Separate from the handler, which only sequences the look, the operator's control and the logs: the reads and
 * their order (green's counts before the rest, blue skipped once drained) are this file's one job.
 */
import { drainedBlueReading, isBlueDrained } from '../core/blue-drained.ts';
import { foldEnds, foldReading, foldSpan, notJudgedYet } from '../core/cadence-fold.ts';
import { EDGE_SOURCE } from '../core/edge-verdicts.ts';
import { metricStatistics } from '../core/metric-statistics.ts';
import { awaitPublication } from '../core/publication.ts';
import {
  assessSources,
  type SourceReadings,
  sourceQueries,
  withSources,
} from '../core/source-judge.ts';
import type { AlarmReader, CombinedReading, MetricSource, RunState } from '../core/state.ts';
import type { Evaluation, MetricReading, TimeWindow } from '../core/types.ts';
import { backlogStart, evaluate } from '../core/verdict.ts';

/** The sources a look reads. */
export interface LookSources {
  metrics: MetricSource;
  /** Needed when the input names `alarms` (without it they read as Error). */
  alarms?: AlarmReader;
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
export interface Folded {
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
export async function judgeWindow(
  state: RunState,
  window: TimeWindow,
  deps: LookSources,
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
    if (look === null) return judgeWindow(withoutCadence(state), window, deps, now, seen);
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
export async function judgeWithoutWindow(state: RunState, deps: LookSources): Promise<Evaluation> {
  const alarms = await readAlarms(state.input.alarms ?? [], deps.alarms);
  const sources = assessSources(state.input, null, { edge: [], series: null, alarms });
  return withSources(notJudgedYet(), sources.assessments, sources.immediateRollback);
}
