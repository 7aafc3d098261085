/**
 * The sources beyond Service Connect in one evaluation: which series to read (added to the same GetMetricData
 * call as Service Connect's), their assessments, and the overall verdict over every source.
 */
import { assessAlarms } from './alarm-verdicts.ts';
import { Check, count, OVERALL_SCOPE, percent } from './checks.ts';
import { assessCustom } from './custom-verdicts.ts';
import { albMeasure, assessEdge, EDGE_SOURCE, edgeThresholds } from './edge-verdicts.ts';
import type { MigrationInput } from './input.ts';
import { combineMeasures } from './measure.ts';
import type { PeriodCounts, SequentialState } from './sequential.ts';
import { judgeSequential } from './sequential-check.ts';
import {
  type AlarmReport,
  customQueries,
  type EdgeLoadBalancer,
  edgeId,
  edgeQueries,
  type Series,
  type SeriesQuery,
  type SeriesReading,
} from './sources.ts';
import { type Assessment, type Evaluation, type TimeWindow, Verdict } from './types.ts';

type SourceInput = Pick<MigrationInput, 'metrics' | 'thresholds' | 'alarms'>;

/**
 * The series the edge and the custom queries need for `window`. Green's ALB reads what its checks read;
 * blue's only what the baseline reads (requests, 5xx, average).
 *
 * @example
 * sourceQueries(input, state.edge ?? [], window); // => [{ id: 'xe0_req', … }, …]
 */
export function sourceQueries(
  input: SourceInput,
  edge: readonly EdgeLoadBalancer[],
  window: TimeWindow
): SeriesQuery[] {
  const thresholds = edgeThresholds(input);
  const blueAlb = edge.some((lb) => lb.side === 'blue' && lb.kind === 'application');
  const windowSeconds = (Date.parse(window.end) - Date.parse(window.start)) / 1_000;
  return [
    ...edgeQueries(
      edge,
      (side) =>
        side === 'green'
          ? {
              latencyAvg: thresholds.latencyAvgMaxMs !== undefined || blueAlb,
              latencyMax: thresholds.latencyMaxMs !== undefined,
              p99: thresholds.latencyP99MaxMs !== undefined,
            }
          : { latencyAvg: true, latencyMax: false, p99: false },
      input.metrics.periodSeconds,
      window
    ),
    ...customQueries(input.metrics.queries, windowSeconds),
  ];
}

/** The key of an edge check's sequential test in `ShiftStatus.sequential` (Service Connect's are bare). */
export const edgeSequentialKey = (check: string): string => `${EDGE_SOURCE}:${check}`;

/** Green's ALBs' per-period counts: requests = RequestCount + ELB 5xx, errors = target 5xx + ELB 5xx. */
function edgePeriods(indexes: readonly number[], series: Record<string, Series>): PeriodCounts[] {
  const byStart = new Map<number, PeriodCounts>();
  const add = (field: string, requests: boolean, errors: boolean) => {
    for (const index of indexes) {
      const one = series[edgeId(index, field)];
      one?.timestamps.forEach((timestamp, i) => {
        const value = one.values[i] as number;
        const known = byStart.get(timestamp) ?? {
          start: new Date(timestamp).toISOString(),
          requests: 0,
          errors: 0,
        };
        byStart.set(timestamp, {
          ...known,
          requests: known.requests + (requests ? value : 0),
          errors: known.errors + (errors ? value : 0),
        });
      });
    }
  };
  add('req', true, false);
  add('t5', false, true);
  add('e5', true, true);
  // As in albMeasure: a slow 5xx can land in the minute after its request's RequestCount.
  return [...byStart.values()].map((period) => ({
    ...period,
    errors: Math.min(period.errors, period.requests),
  }));
}

/**
 * Green's overall edge error rates (absolute, and against blue's ALB) judged by the sequential test as
 * Service Connect's are: one window's Wilson bound, repeated every minute at a low share, rolled healthy
 * greens back (a 5 % share of 1,000 rpm: 2 errors in 56 requests is a Fail). Per-ALB checks stay window checks.
 */
function withEdgeSequential(
  assessments: readonly Assessment[],
  edge: readonly EdgeLoadBalancer[],
  series: Record<string, Series>,
  input: SourceInput,
  states: Record<string, SequentialState>
): { assessments: Assessment[]; sequential: Record<string, SequentialState> } {
  const green = edge.flatMap((lb, index) =>
    lb.side === 'green' && lb.kind === 'application' ? [{ lb, index }] : []
  );
  if (green.length === 0) return { assessments: [...assessments], sequential: {} };
  const overallScope = green.length === 1 ? green[0]!.lb.dimension : OVERALL_SCOPE;
  const measure = combineMeasures(green.map(({ index }) => albMeasure(series, index)));
  const periods = edgePeriods(
    green.map(({ index }) => index),
    series
  );
  const thresholds = edgeThresholds(input);
  const settings = {
    falseAlarmRate: thresholds.falseAlarmRate,
    minEvidenceMinutes: thresholds.minEvidenceMinutes,
  };
  const sequential: Record<string, SequentialState> = {};
  const judged = assessments.map((assessment) => {
    const overall =
      assessment.source === EDGE_SOURCE &&
      assessment.side === 'green' &&
      assessment.scope === overallScope &&
      (assessment.check === Check.ErrorRate || assessment.check === Check.BaselineErrorRate);
    // A baseline without enough blue traffic has no limit: it stays the uncounted window assessment.
    if (!overall || assessment.limit === null) return assessment;
    const key = edgeSequentialKey(assessment.check);
    const { state, assessment: sequentialAssessment } = judgeSequential({
      check: assessment.check as Check,
      scope: overallScope,
      measure,
      limitPercent: assessment.limit,
      limitText:
        assessment.check === Check.ErrorRate
          ? `${count(assessment.limit)}%`
          : `baseline ${percent(assessment.limit)}`,
      thresholds,
      countShortfall: true,
      periods,
      periodSeconds: input.metrics.periodSeconds,
      state: states[key],
      settings,
    });
    sequential[key] = state;
    // The window assessment's data (source, side, the baseline's blue counts) stays with the test's verdict.
    return { ...assessment, ...sequentialAssessment };
  });
  return { assessments: judged, sequential };
}

/** What the handler read for the sources beyond Service Connect. */
export interface SourceReadings {
  edge: readonly EdgeLoadBalancer[];
  /** The batched read's series (null: none were asked for). */
  series: SeriesReading | null;
  /** DescribeAlarms' answer; `reports` null when it failed (`failure`). */
  alarms: { reports: readonly AlarmReport[] | null; failure: string | null };
}

function unavailable(source: string, scope: string, reason: string, counted: boolean): Assessment {
  return {
    check: source,
    scope,
    verdict: Verdict.Error,
    value: null,
    limit: null,
    sampleSize: 0,
    counted,
    reason: `${source} metrics unavailable: ${reason}`,
    source,
    side: 'green',
  };
}

/**
 * Every assessment of the edge, the custom queries and the alarms, and the immediate-rollback reason.
 *
 * @example
 * assessSources(input, window, { edge, series, alarms: { reports, failure: null } });
 */
export function assessSources(
  input: SourceInput,
  window: TimeWindow | null,
  readings: SourceReadings,
  sequentialStates: Record<string, SequentialState> = {}
): {
  assessments: Assessment[];
  immediateRollback: string | null;
  /** The edge's sequential tests after this window (keys `edge:<check>`); empty when not run. */
  sequential: Record<string, SequentialState>;
} {
  const alarms = assessAlarms(input.alarms, readings.alarms.reports, readings.alarms.failure);
  const series = readings.series;
  const greenEdge = readings.edge.some((lb) => lb.side === 'green');
  let metricAssessments: Assessment[] = [];
  let sequential: Record<string, SequentialState> = {};
  if (series?.kind === 'unavailable') {
    metricAssessments = [
      ...(greenEdge ? [unavailable(EDGE_SOURCE, 'overall', series.reason, true)] : []),
      ...input.metrics.queries.map((query) =>
        unavailable(`custom:${query.label}`, query.label, series.reason, query.green !== undefined)
      ),
    ];
  } else if (series?.kind === 'ok' && window !== null) {
    const edge = withEdgeSequential(
      assessEdge(readings.edge, series.series, input, window),
      readings.edge,
      series.series,
      input,
      sequentialStates
    );
    sequential = edge.sequential;
    metricAssessments = [
      ...edge.assessments,
      ...assessCustom(input.metrics.queries, series.series, series.failed),
    ];
  }
  return {
    assessments: [...metricAssessments, ...alarms.assessments],
    immediateRollback: alarms.immediateRollback,
    sequential,
  };
}

/** How a source's assessment reads in an evaluation's reason: `edge app/g/1`, `alarm:x`, `custom:y`. */
function labelOf(assessment: Assessment): string {
  const source = `${assessment.source}`;
  return source.endsWith(`:${assessment.scope}`) ? source : `${source} ${assessment.scope}`;
}

function describe(assessments: readonly Assessment[]): string {
  const byLabel = new Map<string, string[]>();
  for (const assessment of assessments) {
    const label = labelOf(assessment);
    byLabel.set(label, [...(byLabel.get(label) ?? []), assessment.reason]);
  }
  return [...byLabel].map(([label, reasons]) => `${label}: ${reasons.join(', ')}`).join('; ');
}

/**
 * Service Connect's evaluation with the other sources' assessments folded in, by the same rule: any counted
 * Fail -> Fail; else any counted Error (or Service Connect's own Error) -> Error; else any counted
 * Inconclusive -> Inconclusive; else Pass. The cursor and the bake stay Service Connect's (`judgedUntil`).
 *
 * @example
 * withSources(serviceConnectEvaluation, assessments, null).verdict; // => 'Fail' when green's edge fails
 */
export function withSources(
  base: Evaluation,
  extra: readonly Assessment[],
  immediateRollback: string | null
): Evaluation {
  if (extra.length === 0 && immediateRollback === null) return base;
  const assessments = [...base.assessments, ...extra];
  const counted = extra.filter((assessment) => assessment.counted);
  const rollback = immediateRollback === null ? {} : { immediateRollback };
  for (const verdict of [Verdict.Fail, Verdict.Error, Verdict.Inconclusive]) {
    const matching = counted.filter((assessment) => assessment.verdict === verdict);
    // Service Connect's verdict is already the worst of its counted assessments; its reason stands as is.
    const baseMatches = base.verdict === verdict;
    if (matching.length === 0 && !baseMatches) continue;
    return {
      ...base,
      verdict,
      reason: [
        ...(baseMatches ? [base.reason] : []),
        ...(matching.length > 0 ? [describe(matching)] : []),
      ].join('; '),
      assessments,
      ...rollback,
    };
  }
  const passing = counted.filter((assessment) => assessment.verdict === Verdict.Pass);
  return {
    ...base,
    verdict: Verdict.Pass,
    reason: [base.reason, ...(passing.length > 0 ? [describe(passing)] : [])].join('; '),
    assessments,
    ...rollback,
  };
}
