/**
 * The measured figures of one evaluation as report samples: one per metric source, side and scope. Reads the
 * shared contract's optional `source` (absent: Service Connect) and `side` (absent: green) of an assessment.
 */
import type { Assessment, Evaluation } from '../functions/core/types.ts';
import type { MetricSample } from './run-report.ts';

/** The default metric source: an assessment without `source` was judged on Service Connect metrics. */
export const DEFAULT_SOURCE = 'serviceConnect';

/** An assessment as the report reads it: `source` and `side` may be absent (older runs, Service Connect). */
type TaggedAssessment = Assessment & { source?: string; side?: 'green' | 'blue' };

/** The checks whose values are figures of one side (the baseline checks' values are green's, again). */
const PLOTTED_CHECKS = new Set(['errorRate', 'latencyAvg']);

/**
 * Samples of one evaluation: every errorRate and latencyAvg assessment with a value, and blue's latency
 * average when the evaluation measured it in its own window (a remembered one is not this window's).
 */
export function samplesOf(evaluation: Evaluation): MetricSample[] {
  const samples: MetricSample[] = (evaluation.assessments as TaggedAssessment[])
    .filter((assessment) => PLOTTED_CHECKS.has(assessment.check) && assessment.value !== null)
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
  const hasBlueLatency = samples.some(
    (sample) =>
      sample.side === 'blue' && sample.check === 'latencyAvg' && sample.scope === 'overall'
  );
  if (measuredHere && !hasBlueLatency) {
    samples.push({
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
  return samples;
}
