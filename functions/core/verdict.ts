/**
 * Judges one window of Service Connect metrics: each green discovery name and `overall`, the comparison with
 * blue, and how far green's data reached (the cursor and the bake). The checks live in checks.ts and
 * baseline.ts; this file aggregates them into one verdict.
 */
import { assessBaseline, blueLatencyOf, unavailableBaseline } from './baseline.ts';
import { sequentialReaches } from './cadence-reach.ts';
import { assessScope, Check, count, OVERALL_SCOPE, percent } from './checks.ts';
import { targetLabel } from './discovery-target.ts';
import type { MigrationInput } from './input.ts';
import { combineMeasures, type Measure, measureOf } from './measure.ts';
import type { PeriodCounts, SequentialState } from './sequential.ts';
import { judgeSequential, periodCountsOf } from './sequential-check.ts';
import {
  type Assessment,
  type BlueLatency,
  type Evaluation,
  type MetricReading,
  type ServiceSample,
  type TimeWindow,
  Verdict,
} from './types.ts';

export { Check, OVERALL_SCOPE } from './checks.ts';
export { combineMeasures, type Measure, measureOf } from './measure.ts';

/**
 * Where the sequential tests' unread minutes start when that is before `window.start` (the minutes of a
 * shift's ramp, which the window skips), at most `windowSeconds` before it; null when there are none.
 *
 * @example
 * backlogStart(status.sequential, window, 300); // => '2026-01-01T10:02:00.000Z'
 */
export function backlogStart(
  states: Record<string, SequentialState> | null | undefined,
  window: TimeWindow,
  windowSeconds: number
): string | null {
  const consumed = Object.values(states ?? {})
    .map((state) => state.consumedUntil)
    .filter((until): until is string => until !== null)
    .map((until) => Date.parse(until));
  if (consumed.length === 0) return null;
  const startMs = Date.parse(window.start);
  const fromMs = Math.max(Math.min(...consumed), startMs - windowSeconds * 1_000);
  return fromMs < startMs ? new Date(fromMs).toISOString() : null;
}

/**
 * Replaces the overall error-rate checks (absolute, and against blue when blue gave a limit) by the
 * sequential test on green's per-period counts; per-name checks stay window checks. Returns the new
 * assessments and the tests' states by check.
 */
function withSequentialChecks(
  assessments: readonly Assessment[],
  overall: Measure,
  periods: readonly PeriodCounts[],
  input: Pick<MigrationInput, 'metrics' | 'thresholds'>,
  states: Record<string, SequentialState>
): { assessments: Assessment[]; sequential: Record<string, SequentialState> } {
  const { thresholds } = input;
  const settings = {
    falseAlarmRate: thresholds.falseAlarmRate,
    minEvidenceMinutes: thresholds.minEvidenceMinutes,
  };
  const sequential = { ...states };
  const judged = assessments.map((assessment) => {
    const sequentialCheck =
      assessment.scope === OVERALL_SCOPE &&
      (assessment.check === Check.ErrorRate ||
        (assessment.check === Check.BaselineErrorRate && assessment.limit !== null));
    if (!sequentialCheck || assessment.limit === null) return assessment;
    const { state, assessment: judgedAssessment } = judgeSequential({
      check: assessment.check as Check,
      scope: OVERALL_SCOPE,
      measure: overall,
      limitPercent: assessment.limit,
      limitText:
        assessment.check === Check.ErrorRate
          ? `${count(assessment.limit)}%`
          : `baseline ${percent(assessment.limit)}`,
      thresholds,
      countShortfall: true,
      periods,
      periodSeconds: input.metrics.periodSeconds,
      state: states[assessment.check],
      settings,
    });
    sequential[assessment.check] = state;
    // The window assessment's data (the baseline's blue counts) stays with the test's verdict.
    return { ...assessment, ...judgedAssessment };
  });
  return { assessments: judged, sequential };
}

/**
 * How far green's data reached in `window` and how much of it there was: `judgedUntil` is the end of the
 * newest period of the window with a green request datapoint (the window's end when green has none:
 * nothing newer was missed); `judgedDataSeconds` counts the periods in
 * `[window.start, judgedUntil)` in which any green name had one. Both null/0 without a window.
 */
function greenReach(
  services: readonly ServiceSample[],
  window: TimeWindow | null,
  periodSeconds: number
): { judgedUntil: string | null; judgedDataSeconds: number } {
  if (window === null) return { judgedUntil: null, judgedDataSeconds: 0 };
  const startMillis = Date.parse(window.start);
  const endMillis = Date.parse(window.end);
  const periods = new Set(
    services
      .flatMap((service) => service.periodStarts.map((start) => Date.parse(start)))
      .filter((start) => start >= startMillis && start < endMillis)
  );
  if (periods.size === 0) return { judgedUntil: window.end, judgedDataSeconds: 0 };
  const periodMillis = periodSeconds * 1_000;
  const until = Math.min(endMillis, Math.max(...periods) + periodMillis);
  return {
    judgedUntil: new Date(until).toISOString(),
    judgedDataSeconds: periods.size * periodSeconds,
  };
}

/** `overall: a, b; orders: c`, in order of first appearance. */
function describe(assessments: readonly Assessment[]): string {
  const byScope = new Map<string, string[]>();
  for (const assessment of assessments) {
    byScope.set(assessment.scope, [...(byScope.get(assessment.scope) ?? []), assessment.reason]);
  }
  return [...byScope].map(([scope, reasons]) => `${scope}: ${reasons.join(', ')}`).join('; ');
}

/**
 * Judges one window: each green discovery name and `overall` (their sum) on error rate, plus latency
 * average / maximum / p99 where a limit is configured, plus the comparison with blue when a blue
 * reading is given. The overall verdict: green's reading unavailable -> Error; else any counted Fail ->
 * Fail; else any counted Error (blue's reading unavailable) -> Error; else any counted Inconclusive ->
 * Inconclusive; else Pass. No data is never a pass: the overall error rate always counts.
 * `rememberedBlueLatency` (the run's `status.blueLatency`) is the latency baseline for a window in which
 * blue has too few samples; the evaluation's `blueLatency` is blue's own when it had enough. Its
 * `judgedUntil` is how far green's data reached (`input.metrics.periodSeconds` aligned): where the cursor
 * moves after a Pass or Fail. The overall error rates are judged by the sequential tests
 * (`sequentialStates`, sequential-check.ts) when green reports per-period counts; `backlog` is green's
 * reading of the minutes between the tests' last folded period and the window (`backlogStart`): they feed
 * the tests only, never the window checks or the bake.
 *
 * @example
 * evaluate({ kind: 'ok', services: [orders] }, null, input, window);
 * // => { verdict: 'Fail', reason: 'overall: error rate 2.43% > 1% over 1,812 requests (lower bound 1.90% at 95%); orders: …', … }
 */
export function evaluate(
  green: MetricReading,
  blue: MetricReading | null,
  input: Pick<MigrationInput, 'metrics' | 'thresholds'>,
  window: TimeWindow | null,
  rememberedBlueLatency: BlueLatency | null = null,
  sequentialStates: Record<string, SequentialState> | null = null,
  backlog: MetricReading | null = null
): Evaluation {
  if (green.kind === 'unavailable') {
    return {
      verdict: Verdict.Error,
      reason: `green metrics unavailable: ${green.reason}`,
      assessments: [],
      window,
    };
  }
  const { thresholds } = input;
  const labels = input.metrics.greenDiscoveryNames.map(targetLabel);
  const { judgedUntil, judgedDataSeconds } = greenReach(
    green.services.filter((s) => labels.includes(targetLabel(s))),
    window,
    input.metrics.periodSeconds
  );
  const perName = labels.map((name) => ({
    name,
    measure: combineMeasures(green.services.filter((s) => targetLabel(s) === name).map(measureOf)),
  }));
  const overall = combineMeasures(perName.map((entry) => entry.measure));
  const blueMeasure = blue?.kind === 'ok' ? combineMeasures(blue.services.map(measureOf)) : null;
  const baseline =
    blue?.kind === 'unavailable'
      ? unavailableBaseline(blue.reason)
      : blueMeasure === null
        ? []
        : assessBaseline(overall, blueMeasure, thresholds, window, rememberedBlueLatency);
  const windowAssessments = [
    ...assessScope(OVERALL_SCOPE, overall, thresholds),
    ...baseline,
    ...perName.flatMap((entry) => assessScope(entry.name, entry.measure, thresholds)),
  ];
  // Without per-period counts (a source that does not report them) the window checks stand.
  const windowPeriods = periodCountsOf(
    green.services.filter((s) => labels.includes(targetLabel(s)))
  );
  // Minutes before the window the tests have not folded yet (the shift's ramp): evidence all the same.
  const backlogPeriods =
    backlog?.kind === 'ok'
      ? (periodCountsOf(backlog.services.filter((s) => labels.includes(targetLabel(s)))) ?? [])
      : [];
  const periods = windowPeriods === null ? null : [...backlogPeriods, ...windowPeriods];
  const tested =
    periods === null || window === null
      ? null
      : {
          window,
          ...withSequentialChecks(
            windowAssessments,
            overall,
            periods,
            input,
            sequentialStates ?? {}
          ),
        };
  const assessments = tested?.assessments ?? windowAssessments;
  const greenSamples = (reading: MetricReading & { kind: 'ok' }) =>
    reading.services.filter((s) => labels.includes(targetLabel(s)));
  const backlogFrom =
    tested === null || backlog?.kind !== 'ok'
      ? null
      : backlogStart(sequentialStates, tested.window, input.metrics.windowSeconds);
  const sequential =
    tested === null
      ? {}
      : {
          sequential: tested.sequential,
          // What the tests could reach by folding these minutes later (core/cadence.ts reads it).
          sequentialReach: sequentialReaches({
            input,
            states: tested.sequential,
            window: tested.window,
            windowSamples: greenSamples(green),
            backlog:
              backlog?.kind === 'ok' && backlogFrom !== null
                ? { start: backlogFrom, samples: greenSamples(backlog) }
                : null,
          }),
        };
  const blueLatency =
    blueMeasure === null ? null : blueLatencyOf(blueMeasure, thresholds.minRequests, window);
  const counted = assessments.filter((assessment) => assessment.counted);
  for (const verdict of [Verdict.Fail, Verdict.Error, Verdict.Inconclusive]) {
    const matching = counted.filter((assessment) => assessment.verdict === verdict);
    if (matching.length > 0)
      return {
        verdict,
        reason: describe(matching),
        assessments,
        window,
        judgedUntil,
        judgedDataSeconds,
        blueLatency,
        ...sequential,
      };
  }
  return {
    verdict: Verdict.Pass,
    reason: describe(counted.filter((assessment) => assessment.scope === OVERALL_SCOPE)),
    assessments,
    window,
    judgedUntil,
    judgedDataSeconds,
    blueLatency,
    ...sequential,
  };
}
