/**
 * The sources beyond Service Connect in one evaluation: which series to read (added to the same GetMetricData
 * call as Service Connect's), their assessments, and the overall verdict over every source.
 */
import { assessAlarms } from './alarm-verdicts.ts';
import { assessCustom } from './custom-verdicts.ts';
import { assessEdge, EDGE_SOURCE, edgeThresholds } from './edge-verdicts.ts';
import type { MigrationInput } from './input.ts';
import {
  type AlarmReport,
  customQueries,
  type EdgeLoadBalancer,
  edgeQueries,
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
  readings: SourceReadings
): { assessments: Assessment[]; immediateRollback: string | null } {
  const alarms = assessAlarms(input.alarms, readings.alarms.reports, readings.alarms.failure);
  const series = readings.series;
  const greenEdge = readings.edge.some((lb) => lb.side === 'green');
  let metricAssessments: Assessment[] = [];
  if (series?.kind === 'unavailable') {
    metricAssessments = [
      ...(greenEdge ? [unavailable(EDGE_SOURCE, 'overall', series.reason, true)] : []),
      ...input.metrics.queries.map((query) =>
        unavailable(`custom:${query.label}`, query.label, series.reason, query.green !== undefined)
      ),
    ];
  } else if (series?.kind === 'ok' && window !== null) {
    metricAssessments = [
      ...assessEdge(readings.edge, series.series, input, window),
      ...assessCustom(input.metrics.queries, series.series, series.failed),
    ];
  }
  return {
    assessments: [...metricAssessments, ...alarms.assessments],
    immediateRollback: alarms.immediateRollback,
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
