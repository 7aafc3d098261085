/**
 * The measured figures of one evaluation, one per metric source, side and scope: what the dashboard's log
 * fields (dashboard-fields.ts) and the report's lines are made of, so both show the same numbers. Reads the
 * shared contract's optional `source` (absent: Service Connect) and `side` (absent: green) of an assessment.
 */
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
 * Every errorRate and latencyAvg assessment with a value, and blue's latency average when the evaluation
 * measured it in its own window (a remembered one is an older window's).
 */
export function figuresOf(evaluation: Evaluation): Figure[] {
  const figures: Figure[] = (evaluation.assessments as TaggedAssessment[])
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
      scope: 'overall',
      check: 'latencyAvg',
      value: blue.avgMs,
      limit: null,
      requests: blue.samples,
      verdict: 'Pass',
    });
  }
  return figures;
}
