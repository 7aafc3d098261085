/**
 * The measured figures of one evaluation, one per metric source, side and scope: what the dashboard's log
 * fields (dashboard-fields.ts) and the report's lines are made of, so both show the same numbers. Reads the
 * shared contract's optional `source` (absent: Service Connect) and `side` (absent: green) of an assessment.
 */
import { OVERALL_SCOPE } from '../core/checks.ts';
import type { Assessment, Evaluation } from '../core/types.ts';

/** The default metric source: an assessment without `source` was judged on Service Connect metrics. */
export const DEFAULT_SOURCE = 'serviceConnect';

export interface Figure {
  /** `serviceConnect`, `edge`, `alarm:<name>`, `custom:<label>`. */
  source: string;
  side: 'green' | 'blue';
  /** A discovery name, a load balancer, or `overall`. */
  scope: string;
  /** `errorRate` (percent) or `latencyAvg` (milliseconds). */
  check: string;
  value: number | null;
  limit: number | null;
  /** Requests behind the value. */
  requests: number;
  verdict: string;
}

/** An assessment as read here: `source` and `side` may be absent (older runs, Service Connect). */
type TaggedAssessment = Assessment & { source?: string; side?: 'green' | 'blue' };

/** Checks whose value is a figure of one side (a baseline check's value is green's again). */
const FIGURE_CHECKS = new Set(['errorRate', 'latencyAvg']);

/**
 * Blue's error rate from a baseline check's blue counts (`Assessment.blue`: what its limit was computed from,
 * in the same window as green's figures), for a source that has no blue error-rate assessment of its own
 * (Service Connect; the edge judges blue's load balancers on their own, from the same counts). Blue's own
 * rate has no limit (the limit is green's, on the baseline check) and no verdict of its own: `Pass`, as
 * blue's latency figure.
 */
function baselineBlueRates(assessments: readonly TaggedAssessment[], figures: readonly Figure[]) {
  return assessments.flatMap((assessment): Figure[] => {
    const counts = assessment.blue;
    if (assessment.check !== 'baselineErrorRate' || counts === undefined || counts.requests === 0)
      return [];
    const source = assessment.source ?? DEFAULT_SOURCE;
    const hasOwn = figures.some(
      (figure) => figure.source === source && figure.side === 'blue' && figure.check === 'errorRate'
    );
    if (hasOwn) return [];
    return [
      {
        source,
        side: 'blue',
        scope: OVERALL_SCOPE,
        check: 'errorRate',
        value: (100 * counts.errors5xx) / counts.requests,
        limit: null,
        requests: counts.requests,
        verdict: 'Pass',
      },
    ];
  });
}

/**
 * Every errorRate and latencyAvg assessment with a value, blue's error rate from the baseline check's counts
 * (baselineBlueRates), and blue's latency average when the evaluation measured it in its own window (a
 * remembered one is an older window's).
 */
export function figuresOf(evaluation: Evaluation): Figure[] {
  const assessments = evaluation.assessments as TaggedAssessment[];
  const own: Figure[] = assessments
    .filter((assessment) => FIGURE_CHECKS.has(assessment.check) && assessment.value !== null)
    .map((assessment) => ({
      source: assessment.source ?? DEFAULT_SOURCE,
      side: assessment.side ?? 'green',
      scope: assessment.scope,
      check: assessment.check,
      value: assessment.value,
      limit: assessment.limit,
      requests: assessment.sampleSize,
      verdict: assessment.verdict,
    }));
  const figures = [...own, ...baselineBlueRates(assessments, own)];
  const blue = evaluation.blueLatency;
  const measuredHere =
    blue !== null && blue !== undefined && blue.windowEnd === evaluation.window?.end;
  const hasBlueLatency = figures.some(
    (figure) =>
      figure.side === 'blue' && figure.check === 'latencyAvg' && figure.scope === 'overall'
  );
  if (measuredHere && !hasBlueLatency) {
    figures.push({
      source: DEFAULT_SOURCE,
      side: 'blue',
      scope: OVERALL_SCOPE,
      check: 'latencyAvg',
      value: blue.avgMs,
      limit: null,
      requests: blue.samples,
      verdict: 'Pass',
    });
  }
  return figures;
}
