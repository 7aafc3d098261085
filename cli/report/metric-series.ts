/**
 * The measured figures as series to plot: one per metric source, side and scope (overall or a discovery name),
 * from each evaluation's samples. Blue beside green, each discovery name, each source.
 */
import type { MetricSample, RunReport } from '../run-report.ts';

export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  value: number;
  requests: number;
  verdict: string;
  /** The green share at that evaluation: a series is not joined across a shift. */
  greenPercent: number;
}

export interface MetricSeries {
  /** `source/side/scope`, unique within one check. */
  key: string;
  source: string;
  side: 'green' | 'blue';
  scope: string;
  points: SeriesPoint[];
}

const sideOrder = (side: string) => (side === 'green' ? 0 : 1);

/** Series of one check (`errorRate`, `latencyAvg`), overall scopes first, green before blue. */
export function seriesOf(report: RunReport, check: string): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  for (const point of report.timeline) {
    for (const sample of point.samples ?? []) {
      if (sample.check !== check || sample.value === null) continue;
      const key = seriesKey(sample);
      let series = byKey.get(key);
      if (series === undefined) {
        series = { key, source: sample.source, side: sample.side, scope: sample.scope, points: [] };
        byKey.set(key, series);
      }
      series.points.push({
        t: Date.parse(point.at),
        value: sample.value,
        requests: sample.requests,
        verdict: sample.verdict,
        greenPercent: point.greenPercent,
      });
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      Number(a.scope !== 'overall') - Number(b.scope !== 'overall') ||
      a.source.localeCompare(b.source) ||
      sideOrder(a.side) - sideOrder(b.side) ||
      a.scope.localeCompare(b.scope)
  );
}

export function seriesKey(sample: Pick<MetricSample, 'source' | 'side' | 'scope'>): string {
  return `${sample.source}/${sample.side}/${sample.scope}`;
}

/** The sources present in a report's samples, the default one first. */
export function sourcesOf(report: RunReport): string[] {
  const sources = new Set<string>();
  for (const point of report.timeline)
    for (const sample of point.samples ?? []) sources.add(sample.source);
  return [...sources].sort(
    (a, b) => Number(a !== 'serviceConnect') - Number(b !== 'serviceConnect') || a.localeCompare(b)
  );
}

/** How a series is named in the legend and tooltips: `blue · edge · orders`. */
export function seriesLabel(series: Pick<MetricSeries, 'source' | 'side' | 'scope'>): string {
  const source = series.source === 'serviceConnect' ? 'Service Connect' : series.source;
  return `${series.side} · ${source}${series.scope === 'overall' ? '' : ` · ${series.scope}`}`;
}

/** CSS-safe id part for a series key. */
export function slug(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]+/g, '-');
}
