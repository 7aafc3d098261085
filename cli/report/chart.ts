/** The chart: the panels over a shared time axis, with the shift, rollback, abort and completion markers. */
import type { RehearsalMarker, RunReport } from '../rehearsal.ts';
import {
  AXIS_Y,
  BAND_TOP,
  ERRORS,
  f1,
  H,
  LATENCY,
  LEFT,
  PANELS,
  PLOT_W,
  type Scale,
  W,
  xAxis,
} from './chart-layout.ts';
import { metricPanel, verdictLane, weightPanel } from './chart-panels.ts';
import { escapeHtml, trimNumber } from './format.ts';
import { volumePanel } from './volume-panel.ts';
import { waitsStrip } from './waits-strip.ts';

interface TerminalLabel {
  x: number;
  id: string;
  cls: string;
  text: string;
}

/** Vertical markers: thin dashed lines at shifts, a strong labelled line at the rollback, abort or completion. */
function markerLayer(report: RunReport, scale: Scale): { lines: string; labels: string } {
  const bottom = AXIS_Y;
  const lines: string[] = [];
  for (const marker of report.markers.filter((m) => m.kind === 'shift')) {
    const x = f1(scale.x(Date.parse(marker.at)));
    // Within the panels only, so the dotted line never crosses a panel title.
    const segments = PANELS.map(
      (panel) =>
        `<line class="marker-shift" x1="${x}" x2="${x}" y1="${panel.top}" y2="${panel.top + panel.height}"/>`
    ).join('');
    lines.push(
      `<g class="shift-marker"><title>shift to ${escapeHtml(marker.label)}</title>${segments}</g>`
    );
  }
  const terminal: TerminalLabel[] = [];
  const restored = report.markers.find(
    (m) => m.kind === 'recovery' && m.label === 'snapshot restored'
  );
  const byKind = (kind: RehearsalMarker['kind']) => report.markers.find((m) => m.kind === kind);
  const rollback = byKind('rollback');
  const abort = byKind('abort');
  const complete = byKind('complete');
  const markerAt = (at: string, id: string, cls: string, text: string) => ({
    x: scale.x(Date.parse(at)),
    id,
    cls,
    text,
  });
  if (rollback) {
    terminal.push(
      markerAt(rollback.at, 'rollback-marker', 'rollback', 'ROLLBACK · snapshot restored')
    );
  }
  if (abort) {
    const text = restored ? 'ABORTED · snapshot restored' : 'ABORTED';
    terminal.push(markerAt(abort.at, 'abort-marker', 'abort', text));
  } else if (restored && !rollback) {
    terminal.push(markerAt(restored.at, 'recovery-marker', 'abort', 'snapshot restored'));
  }
  if (complete) {
    terminal.push(markerAt(complete.at, 'complete-marker', 'complete', 'COMPLETED'));
  }
  const labels = terminal.map((label) => {
    const width = label.text.length * 7.4 + 20;
    const anchorRight = label.x + width / 2 > LEFT + PLOT_W;
    const anchorLeft = label.x - width / 2 < LEFT;
    const boxX = anchorRight ? label.x - width : anchorLeft ? label.x : label.x - width / 2;
    const x = f1(label.x);
    return (
      `<g id="${label.id}" class="marker marker-${label.cls}">` +
      `<line class="marker-line" x1="${x}" x2="${x}" y1="${BAND_TOP + 22}" y2="${bottom}"/>` +
      `<rect class="marker-box" x="${f1(boxX)}" y="${BAND_TOP}" width="${f1(width)}" height="22" rx="11"/>` +
      `<text class="marker-text" x="${f1(boxX + width / 2)}" y="${BAND_TOP + 15}" text-anchor="middle">${escapeHtml(label.text)}</text>` +
      '</g>'
    );
  });
  return { lines: lines.join(''), labels: labels.join('') };
}

/** The chart: one SVG, its panels over a shared UTC time axis, markers across all of them. */
export function renderChart(report: RunReport): string {
  const t0 = Date.parse(report.startedAt);
  const times = [
    Date.parse(report.endedAt),
    ...report.timeline.map((point) => Date.parse(point.at)),
    ...report.markers.map((marker) => Date.parse(marker.at)),
  ].filter(Number.isFinite);
  const end = Math.max(t0 + 60_000, ...times);
  const t1 = end + (end - t0) * 0.03;
  const scale: Scale = { t0, t1, x: (t) => LEFT + ((t - t0) / (t1 - t0)) * PLOT_W };
  const markers = markerLayer(report, scale);
  const body = [
    weightPanel(report, scale),
    waitsStrip(report, scale),
    verdictLane(report, scale),
    metricPanel(report, scale, {
      id: 'error-rate',
      check: 'errorRate',
      title: '5xx error rate, green and blue',
      note: '5XX / requests; thick: green overall (Service Connect), thin: each discovery name, blue in blue',
      panel: ERRORS,
      unit: ' %',
      value: (point) => point.errorRatePercent,
      baseline: (point) => point.errorRateBaselineLimitPercent,
      limit: report.limits.errorRateMaxPercent,
      limitText: (limit) => `limit ${trimNumber(limit, 2)} %`,
      format: (value) => `${value.toFixed(2)} %`,
      empty: 'no error-rate measurement yet',
    }),
    metricPanel(report, scale, {
      id: 'latency',
      check: 'latencyAvg',
      title: 'Average response time, green and blue',
      note: 'TargetResponseTime average; blue in blue',
      panel: LATENCY,
      unit: ' ms',
      value: (point) => point.latencyAvgMs,
      baseline: (point) => point.latencyBaselineLimitMs,
      limit: report.limits.latencyAvgMaxMs,
      limitText: (limit) => `limit ${trimNumber(limit, 0)} ms`,
      format: (value) => `${trimNumber(value, 0)} ms`,
      empty: 'no latency measurement yet',
    }),
    volumePanel(report, scale),
    xAxis(scale),
  ].join('');
  return (
    `<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Green weight, waits, verdicts, error rate, latency and requests over time">` +
    `${body}<g id="shift-markers">${markers.lines}</g><g id="terminal-markers">${markers.labels}</g></svg>`
  );
}
