/**
 * Lines of the series beside green's overall one: blue (blue strokes), each discovery name (thin), each
 * metric source (its own dash pattern). Green's overall Service Connect line is the panel's main line.
 */
import { f1, type Scale } from './chart-layout.ts';
import { escapeHtml } from './format.ts';
import { type MetricSeries, type SeriesPoint, seriesLabel, slug } from './metric-series.ts';

/** The series the panel draws as its main line (green's overall Service Connect figure). */
export const PRIMARY_KEY = 'serviceConnect/green/overall';

const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4'];

/** The dash pattern of a source: the n-th source of the report gets the n-th pattern. */
export function dashOf(source: string, sources: readonly string[]): string {
  const index = Math.max(0, sources.indexOf(source));
  return DASHES[index % DASHES.length] ?? '';
}

/** Splits a series at each shift: a value is not measured across a change of the weights. */
function segments(points: readonly SeriesPoint[]): SeriesPoint[][] {
  const parts: SeriesPoint[][] = [];
  for (const point of points) {
    const current = parts.at(-1);
    if (current !== undefined && current[0]!.greenPercent === point.greenPercent)
      current.push(point);
    else parts.push([point]);
  }
  return parts;
}

export function seriesLines(
  panelId: string,
  series: readonly MetricSeries[],
  sources: readonly string[],
  scale: Scale,
  y: (value: number) => number,
  format: (value: number) => string
): string {
  return series
    .map((one) => {
      const dash = dashOf(one.source, sources);
      const cls = `series series-${one.side}${one.scope === 'overall' ? '' : ' series-scope'}`;
      const label = seriesLabel(one);
      const lines = segments(one.points)
        .map((segment) => {
          const coords = segment.map((point) => `${f1(scale.x(point.t))},${f1(y(point.value))}`);
          // A single evaluation in a step still shows: a short tick instead of a zero-length line.
          if (coords.length === 1)
            coords.push(`${f1(scale.x(segment[0]!.t) + 4)},${coords[0]!.split(',')[1]}`);
          return `<polyline class="${cls}" points="${coords.join(' ')}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
        })
        .join('');
      const dots = one.points
        .map(
          (point) =>
            `<circle class="series-dot series-dot-${one.side}" cx="${f1(scale.x(point.t))}" cy="${f1(y(point.value))}" r="2.2"><title>${escapeHtml(`${label}: ${format(point.value)} over ${point.requests} requests at ${point.greenPercent}% green`)}</title></circle>`
        )
        .join('');
      return `<g id="${panelId}-series-${slug(one.key)}" class="series-group" data-series="${escapeHtml(one.key)}"><title>${escapeHtml(label)}</title>${lines}${dots}</g>`;
    })
    .join('');
}
