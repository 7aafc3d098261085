/**
 * The figures the dashboard plots (template.yaml's Logs Insights widgets), as flat fields of the handlers' own
 * log lines: no custom metric is published (each would bill metric-hours per migration), and the dashboard
 * costs only when someone views it (Logs Insights bills the bytes its queries scan). The evaluation widgets
 * read one small `minute judged` line per minute judged (a quiet look judges several: core/cadence-fold.ts),
 * never the `evaluated` audit line, whose flattened assessments may pass Logs Insights' 200 extracted fields.
 * Flat, stable names, because a Logs Insights `stats` reads a field by its name: renaming one blanks a widget
 * (test/unit/handlers/dashboard-fields.test.ts runs the handlers and checks every field the queries read).
 */
import type { Evaluation, WeightedPair } from '../core/types.ts';
import { startGreenPercent } from '../core/weights.ts';
import { type Figure, figuresOf } from './evaluation-figures.ts';

/** The metric sources the dashboard plots, and the prefix of their fields (alarms and custom queries have none). */
export const DASHBOARD_SOURCES = ['serviceConnect', 'edge'] as const;

/** Green's share after the logged change (shift, evaluation, rollback, restore): the weight line. */
export interface GreenWeightField {
  greenWeightPercent: number;
}

export function greenWeightField(greenPercent: number): GreenWeightField {
  return { greenWeightPercent: greenPercent };
}

/**
 * Green's share once the snapshot is back (a rollback, on-execution-end's or the reconciler's restore):
 * without it the weight line would stay at the last step's share.
 */
export function restoredShareField(snapshot: readonly WeightedPair[]): GreenWeightField {
  return greenWeightField(startGreenPercent(snapshot));
}

/** `serviceConnectGreen`, `edgeBlue`: the prefix of one source's and side's fields. */
export function fieldPrefix(source: string, side: 'green' | 'blue'): string {
  return `${source}${side === 'green' ? 'Green' : 'Blue'}`;
}

/**
 * Overall figures of one evaluation per source and side: `<prefix>Requests` and `<prefix>Errors5xx` (the
 * error rate's counts: the dashboard divides their sums, so a rate over several evaluations weighs each by its
 * requests) and `<prefix>LatencyMs` (the average). A source without an `overall` scope (the edge judges each
 * load balancer) is summed over its scopes, its latency weighted by requests. Per-scope figures stay in the
 * line's `assessments`.
 */
export function evaluationFields(evaluation: Evaluation): Record<string, number> {
  const groups = new Map<string, Figure[]>();
  for (const figure of figuresOf(evaluation)) {
    if (figure.value === null) continue;
    if (!(DASHBOARD_SOURCES as readonly string[]).includes(figure.source)) continue;
    const key = `${fieldPrefix(figure.source, figure.side)} ${figure.check}`;
    groups.set(key, [...(groups.get(key) ?? []), figure]);
  }
  const fields: Record<string, number> = {};
  for (const [key, all] of groups) {
    const [prefix, check] = key.split(' ');
    const overall = all.filter((figure) => figure.scope === 'overall');
    const figures = overall.length > 0 ? overall.slice(-1) : all;
    const requests = figures.reduce((sum, figure) => sum + figure.requests, 0);
    const weighted = figures.reduce(
      (sum, figure) => sum + (figure.value ?? 0) * figure.requests,
      0
    );
    if (check === 'errorRate') {
      fields[`${prefix}Requests`] = requests;
      fields[`${prefix}Errors5xx`] = Math.round(weighted / 100);
    }
    if (check === 'latencyAvg')
      fields[`${prefix}LatencyMs`] = requests > 0 ? weighted / requests : (figures[0]?.value ?? 0);
  }
  return fields;
}

/** The message of the dashboard's per-minute line (template.yaml's widgets filter on it). */
export const MINUTE_JUDGED = 'minute judged';

/**
 * The dashboard's line of one judged minute: its window's start (`minute`), green's share, its verdict and
 * its figures per source and side (evaluationFields). Null for a look that judged nothing (no new window and
 * no alarm): it is no judged minute.
 */
export function minuteJudgedLine(
  migrationId: string,
  greenPercent: number,
  evaluation: Evaluation
): Record<string, unknown> | null {
  if (evaluation.window === null && evaluation.assessments.length === 0) return null;
  return {
    migrationId,
    minute: evaluation.window?.start ?? null,
    ...greenWeightField(greenPercent),
    verdict: evaluation.verdict,
    ...evaluationFields(evaluation),
  };
}
