/** The page's parts around the chart: legend, verdict counts, steps, the weights table, every evaluation. */
import type { RunReport, TimelinePoint } from '../rehearsal.ts';
import {
  escapeHtml,
  formatCount,
  formatMs,
  formatPercent,
  relative,
  trimNumber,
  verdictColor,
} from './format.ts';
import { seriesOf, sourcesOf } from './metric-series.ts';
import { greenPercentOf } from './series.ts';
import { dashOf } from './series-lines.ts';

export function legend(report: RunReport): string {
  const swatch = (cls: string, text: string) =>
    `<span class="key"><span class="swatch ${cls}"></span>${escapeHtml(text)}</span>`;
  const items = [
    swatch('sw-green', 'green share (step line)'),
    swatch('sw-blue', 'blue share'),
    swatch('sw-pass', 'Pass'),
    swatch('sw-fail', 'Fail'),
    swatch('sw-inconclusive', 'Inconclusive'),
    swatch('sw-error', 'Error (metrics unavailable)'),
    swatch('sw-limit', 'absolute limit'),
  ];
  if (report.timeline.some((point) => typeof point.errorRateBaselineLimitPercent === 'number')) {
    items.push(swatch('sw-baseline', 'blue-relative (baseline) limit'));
  }
  items.push(swatch('sw-shift', 'shift'));
  const series = [...seriesOf(report, 'errorRate'), ...seriesOf(report, 'latencyAvg')];
  if (series.some((one) => one.side === 'blue')) items.push(swatch('sw-series-blue', 'blue'));
  if (series.some((one) => one.scope !== 'overall'))
    items.push(swatch('sw-scope', 'one discovery name'));
  const sources = sourcesOf(report);
  if (sources.length > 1) {
    for (const source of sources) {
      const dash = dashOf(source, sources);
      items.push(
        `<span class="key source-key"><svg width="22" height="6"><line x1="0" x2="22" y1="3" y2="3" stroke="#424a53" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/></svg>${escapeHtml(source === 'serviceConnect' ? 'Service Connect' : source)}</span>`
      );
    }
  }
  if ((report.waits ?? []).length > 0) {
    items.push(swatch('sw-insync', 'waiting for INSYNC'));
    items.push(swatch('sw-ttl', 'waiting out TTL, a metric period and publication'));
  }
  return `<div class="legend">${items.join('')}</div>`;
}

export function verdictCounts(timeline: readonly TimelinePoint[]): string {
  const counts = new Map<string, number>();
  for (const point of timeline)
    counts.set(point.verdict ?? 'none', (counts.get(point.verdict ?? 'none') ?? 0) + 1);
  const parts = ['Pass', 'Fail', 'Inconclusive', 'Error']
    .filter((verdict) => counts.has(verdict))
    .map(
      (verdict) =>
        `<span class="pill" style="background:${verdictColor(verdict)}">${counts.get(verdict)} ${verdict}</span>`
    );
  return parts.join(' ');
}

export function stepsText(report: RunReport): string {
  const taken = report.markers
    .filter((marker) => marker.kind === 'shift')
    .map((marker) => marker.label);
  const planned = report.plannedSteps ?? [];
  const path = taken.length === 0 ? 'no shift' : taken.map(escapeHtml).join(' → ');
  const plan =
    planned.length > 0
      ? ` <span class="muted">(plan: ${planned.map((step) => `${step}%`).join(', ')})</span>`
      : '';
  return `${path}${plan}`;
}

export function pairRows(report: RunReport): string {
  return report.snapshot
    .map((before) => {
      const after = report.finalPairs.find(
        (pair) =>
          pair.hostedZoneId === before.hostedZoneId &&
          pair.name === before.name &&
          pair.type === before.type
      );
      const same =
        after !== undefined &&
        after.blue.Weight === before.blue.Weight &&
        after.green.Weight === before.green.Weight;
      const afterPercent = after ? greenPercentOf([after]) : null;
      const status =
        after === undefined
          ? 'not read'
          : same
            ? '= snapshot'
            : `${trimNumber(afterPercent ?? 0, 1)} % green`;
      return (
        `<tr><td class="mono">${escapeHtml(before.name)} <span class="muted">${escapeHtml(before.type)}</span></td>` +
        `<td class="num">${before.blue.Weight}</td><td class="num">${before.green.Weight}</td>` +
        `<td class="num">${after ? after.blue.Weight : '–'}</td><td class="num">${after ? after.green.Weight : '–'}</td>` +
        `<td class="${same ? 'ok' : ''}">${escapeHtml(status)}</td></tr>`
      );
    })
    .join('');
}

export function evaluationRows(report: RunReport, start: number): string {
  return report.timeline
    .map((point, index) => {
      const verdict = point.verdict ?? '–';
      return (
        `<tr><td class="num muted">${index + 1}</td>` +
        `<td class="mono" title="${escapeHtml(point.at)}">${relative(point.at, start)}</td>` +
        `<td class="num">${escapeHtml(trimNumber(point.greenPercent, 1))} %</td>` +
        `<td><span class="pill" style="background:${verdictColor(point.verdict)}">${escapeHtml(verdict)}</span></td>` +
        `<td class="num">${formatPercent(point.errorRatePercent)}</td>` +
        `<td class="num">${formatMs(point.latencyAvgMs)}</td>` +
        `<td class="num">${formatCount(point.requests)}</td>` +
        `<td><b>${escapeHtml(point.action ?? '–')}</b></td>` +
        `<td class="reason">${escapeHtml(point.reason ?? '')}</td></tr>`
      );
    })
    .join('');
}
