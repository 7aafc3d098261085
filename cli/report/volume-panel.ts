/**
 * The request-volume panel: how many requests each evaluation judged, green as bars (colored by verdict),
 * blue and each discovery name as lines, against `minRequests`, below which a window is Inconclusive and the
 * run holds. It answers why a low-traffic run held.
 */
import type { RunReport } from '../run-report.ts';
import { f1, LEFT, PLOT_W, panelTitle, REQUESTS, type Scale } from './chart-layout.ts';
import { escapeHtml, formatCount, verdictColor } from './format.ts';
import { type MetricSeries, seriesOf, sourcesOf } from './metric-series.ts';
import { PRIMARY_KEY, seriesLines } from './series-lines.ts';

/** Requests behind each series: the error rate's (those with a status code), else the latency's. */
function requestSeries(report: RunReport): MetricSeries[] {
  const byErrors = seriesOf(report, 'errorRate');
  const known = new Set(byErrors.map((series) => series.key));
  const byLatency = seriesOf(report, 'latencyAvg').filter((series) => !known.has(series.key));
  return [...byErrors, ...byLatency]
    .filter((series) => series.key !== PRIMARY_KEY)
    .map((series) => ({
      ...series,
      points: series.points.map((point) => ({ ...point, value: point.requests })),
    }));
}

function logAxis(decades: number, y: (value: number) => number): string {
  const lines: string[] = [];
  for (let power = 0; power <= decades; power++) {
    const yy = f1(y(10 ** power));
    lines.push(
      `<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${yy}" y2="${yy}"/>` +
        `<text class="tick" x="${LEFT - 8}" y="${yy}" dy="4" text-anchor="end">${escapeHtml(formatCount(10 ** power))}</text>`
    );
  }
  return `<g id="requests-axis">${lines.join('')}</g>`;
}

export function volumePanel(report: RunReport, scale: Scale): string {
  const { top, height } = REQUESTS;
  const green = report.timeline.filter((point) => typeof point.requests === 'number');
  const others = requestSeries(report);
  const minRequests = report.limits.minRequests;
  const highest = Math.max(
    minRequests ?? 0,
    ...green.map((point) => point.requests ?? 0),
    ...others.flatMap((series) => series.points.map((point) => point.value))
  );
  // Logarithmic: blue's thousands and green's first dozens (and minRequests) are all readable at 1 % green.
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(highest, 1) * 1.5)));
  const y = (value: number) =>
    top + height - (Math.log10(Math.max(1, Math.min(value, 10 ** decades))) / decades) * height;
  const parts = [
    panelTitle(
      'Requests per evaluation window (log scale)',
      top,
      minRequests === undefined
        ? 'green as bars (colored by verdict)'
        : `green as bars (colored by verdict); fewer than ${formatCount(minRequests)} (minRequests) is Inconclusive: the run holds`
    ),
    `<rect class="panel-bg" x="${LEFT}" y="${top}" width="${PLOT_W}" height="${height}"/>`,
    logAxis(decades, y),
  ];
  const barWidth = Math.max(2, Math.min(8, PLOT_W / Math.max(1, green.length) / 2));
  const bars = green
    .map((point) => {
      const x = scale.x(Date.parse(point.at)) - barWidth / 2;
      const value = point.requests ?? 0;
      // A window with no request at all still shows: a 2 px stub at the bottom.
      const yy = Math.min(y(value), top + height - 2);
      const tip = `${formatCount(value)} green requests at ${point.greenPercent}% green: ${point.verdict ?? ''}`;
      return `<rect class="request-bar" x="${f1(x)}" y="${f1(yy)}" width="${f1(barWidth)}" height="${f1(top + height - yy)}" fill="${verdictColor(point.verdict)}"><title>${escapeHtml(tip)}</title></rect>`;
    })
    .join('');
  parts.push(`<g id="request-bars">${bars}</g>`);
  parts.push(
    seriesLines(
      'requests',
      others,
      sourcesOf(report),
      scale,
      y,
      (value) => `${formatCount(value)} requests`
    )
  );
  if (minRequests !== undefined) {
    const ly = f1(y(minRequests));
    parts.push(
      `<line id="min-requests" class="limit min-requests" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${ly}" y2="${ly}"/>`,
      `<text class="limit-label" x="${LEFT + 6}" y="${f1(Number(ly) - 6)}">minRequests ${escapeHtml(formatCount(minRequests))}</text>`
    );
  }
  if (green.length === 0 && others.length === 0) {
    parts.push(
      `<text class="empty" x="${LEFT + PLOT_W / 2}" y="${top + height / 2}" text-anchor="middle">no request count yet</text>`
    );
  }
  return `<g id="requests-panel">${parts.join('')}</g>`;
}
