/**
 * The run report: one self-contained HTML page (inline CSS and SVG, no scripts, no external assets) that a
 * person would rather look at than read logs. An outcome banner, a chart of the green weight over time with
 * the error rate and latency against their limits (verdicts colored, the rollback or abort marked), the
 * weights before and after, and every evaluation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WeightedPair } from '../functions/core/types.ts';
import { percentOf } from '../functions/core/weights.ts';
import type { Outcome, RehearsalMarker, RunReport, TimelinePoint } from './rehearsal.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Green's share of the first pair's group, in percent; null when there is no pair or both weights are 0. */
export function greenPercentOf(pairs: readonly WeightedPair[]): number | null {
  const [pair] = pairs;
  if (pair === undefined) return null;
  // The real share of the whole weighted group (Route 53 counts every record of the name and type).
  return pair.blue.Weight + pair.green.Weight === 0 ? null : percentOf(pair);
}

export interface GreenPoint {
  /** Epoch milliseconds. */
  t: number;
  percent: number;
}

/**
 * The green share over time as a step function: the snapshot's share at the start, each shift's percent
 * from its write, the snapshot's share again at a rollback or a restore, and the final share at the end.
 */
export function greenSeries(report: RunReport): GreenPoint[] {
  const start = Date.parse(report.startedAt);
  const end = Math.max(Date.parse(report.endedAt), start);
  const snapshotPercent = greenPercentOf(report.snapshot) ?? 0;
  const points: GreenPoint[] = [{ t: start, percent: snapshotPercent }];
  const markers = [...report.markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const marker of markers) {
    const t = Date.parse(marker.at);
    if (marker.kind === 'shift') {
      const percent = Number.parseFloat(marker.label);
      if (Number.isFinite(percent)) points.push({ t, percent });
    }
    if (
      marker.kind === 'rollback' ||
      (marker.kind === 'recovery' && marker.label === 'snapshot restored')
    ) {
      points.push({ t, percent: snapshotPercent });
    }
  }
  const finalPercent = greenPercentOf(report.finalPairs) ?? points.at(-1)?.percent ?? 0;
  points.push({ t: Math.max(end, points.at(-1)?.t ?? end), percent: finalPercent });
  return points;
}

// ---------- formatting ----------

const OUTCOME_TEXT: Record<Outcome, string> = {
  completed: 'Completed',
  'rolled-back': 'Rolled back',
  aborted: 'Aborted',
  'stopped-on-drift': 'Stopped on drift',
  'invalid-input': 'Invalid input',
  failed: 'Failed',
  running: 'Running',
};

const OUTCOME_SUBTITLE: Record<Outcome, string> = {
  completed: 'Green took 100 % of the traffic and passed its final bake.',
  'rolled-back':
    'The orchestrator restored the snapshot: blue has the traffic it had before the run.',
  aborted: 'The execution was stopped; on-execution-end decided what happened to the weights.',
  'stopped-on-drift':
    'Someone else changed the weights during the run; the run stopped and left them.',
  'invalid-input': 'The input was refused before any write.',
  failed: 'The execution failed.',
  running: 'The execution is still running; this is the state so far.',
};

const VERDICT_COLOR: Record<string, string> = {
  Pass: '#1a7f37',
  Fail: '#cf222e',
  Inconclusive: '#bf8700',
  Error: '#8250df',
};
const verdictColor = (verdict: string | null) => VERDICT_COLOR[verdict ?? ''] ?? '#6e7781';

/** `toFixed` without trailing zeros after the decimal point: 1.50 -> 1.5, 250 -> 250. */
export function trimNumber(value: number, digits: number): string {
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(digits)} %`;
}

function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined
    ? '–'
    : `${trimNumber(value, value < 10 ? 1 : 0)} ms`;
}

function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toLocaleString('en-US');
}

/** `1 h 4 min`, `21 min`, `45 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (hours === 0)
    return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** `+0:07:00` relative to the start. */
function relative(at: string, start: number): string {
  const seconds = Math.max(0, Math.round((Date.parse(at) - start) / 1_000));
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function utc(at: string): string {
  return at
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/Z$/, ' UTC');
}

// ---------- chart ----------

interface Ticks {
  max: number;
  ticks: number[];
}

/** Round tick values from 0 to a round maximum at or above `max`. */
export function niceTicks(max: number, count = 4): Ticks {
  const safe = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = safe / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normalized = raw / magnitude;
  const step =
    (normalized <= 1
      ? 1
      : normalized <= 2
        ? 2
        : normalized <= 2.5
          ? 2.5
          : normalized <= 5
            ? 5
            : 10) * magnitude;
  const top = Math.ceil(safe / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let value = 0; value <= top + step / 2; value += step)
    ticks.push(Number(value.toPrecision(12)));
  return { max: top, ticks };
}

const TICK_MINUTES = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1_440, 2_880, 10_080];

function tickLabel(minutes: number): string {
  if (minutes === 0) return 'start';
  if (minutes < 60) return `+${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `+${hours} h` : `+${hours} h ${rest}`;
}

const W = 1_100;
const LEFT = 78;
const RIGHT = 28;
const PLOT_W = W - LEFT - RIGHT;
const BAND_TOP = 6;
const WEIGHT = { top: 64, height: 180 };
const LANE = { top: 258, height: 24 };
const ERRORS = { top: 326, height: 130 };
const LATENCY = { top: 500, height: 130 };
const AXIS_Y = LATENCY.top + LATENCY.height;
const H = AXIS_Y + 44;

const f1 = (value: number) => trimNumber(value, 1);

interface Scale {
  x: (t: number) => number;
  t0: number;
  t1: number;
}

function panelTitle(text: string, top: number, note = ''): string {
  return (
    `<text class="panel-title" x="${LEFT}" y="${top - 10}">${escapeHtml(text)}` +
    (note ? `<tspan class="panel-note" dx="10">${escapeHtml(note)}</tspan>` : '') +
    '</text>'
  );
}

function yAxis(
  panel: { top: number; height: number },
  ticks: Ticks,
  unit: string,
  id: string
): string {
  const y = (value: number) => panel.top + panel.height - (value / ticks.max) * panel.height;
  const lines = ticks.ticks
    .map((value) => {
      const yy = f1(y(value));
      return (
        `<line class="grid" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${yy}" y2="${yy}"/>` +
        `<text class="tick" x="${LEFT - 8}" y="${yy}" dy="4" text-anchor="end">${escapeHtml(trimNumber(value, 2))}${escapeHtml(unit)}</text>`
      );
    })
    .join('');
  return `<g id="${id}-axis">${lines}</g>`;
}

function xAxis(scale: Scale): string {
  const spanMinutes = (scale.t1 - scale.t0) / 60_000;
  const step = TICK_MINUTES.find((minutes) => spanMinutes / minutes <= 12) ?? 10_080;
  const parts: string[] = [];
  for (let minutes = 0; minutes <= spanMinutes; minutes += step) {
    const x = f1(scale.x(scale.t0 + minutes * 60_000));
    parts.push(
      `<line class="xtick" x1="${x}" x2="${x}" y1="${AXIS_Y}" y2="${AXIS_Y + 5}"/>` +
        `<text class="tick" x="${x}" y="${AXIS_Y + 19}" text-anchor="middle">${tickLabel(minutes)}</text>`
    );
  }
  parts.push(
    `<text class="axis-caption" x="${LEFT + PLOT_W}" y="${AXIS_Y + 38}" text-anchor="end">time since the execution started</text>`
  );
  return `<g id="x-axis"><line class="axis" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${AXIS_Y}" y2="${AXIS_Y}"/>${parts.join('')}</g>`;
}

function weightPanel(report: RunReport, scale: Scale): string {
  const series = greenSeries(report);
  const y = (percent: number) => WEIGHT.top + WEIGHT.height - (percent / 100) * WEIGHT.height;
  const coords: string[] = [];
  series.forEach((point, index) => {
    const x = f1(scale.x(point.t));
    if (index > 0) coords.push(`${x},${f1(y(series[index - 1]!.percent))}`);
    coords.push(`${x},${f1(y(point.percent))}`);
  });
  const bottom = f1(WEIGHT.top + WEIGHT.height);
  const first = f1(scale.x(series[0]!.t));
  const last = f1(scale.x(series.at(-1)!.t));
  const area = `${first},${bottom} ${coords.join(' ')} ${last},${bottom}`;
  const shiftLabels = report.markers
    .filter((marker) => marker.kind === 'shift')
    .map((marker) => {
      const percent = Number.parseFloat(marker.label);
      const x = scale.x(Date.parse(marker.at));
      const yy = Number.isFinite(percent) ? y(percent) : WEIGHT.top;
      return `<text class="step-label" x="${f1(x + 4)}" y="${f1(Math.max(WEIGHT.top + 12, yy - 6))}">${escapeHtml(marker.label)}</text>`;
    })
    .join('');
  return [
    panelTitle(
      'Share of traffic on green (Service Connect)',
      WEIGHT.top,
      'Route 53 weights; blue (App Mesh) takes the rest'
    ),
    `<rect class="blue-share" x="${LEFT}" y="${WEIGHT.top}" width="${PLOT_W}" height="${WEIGHT.height}"/>`,
    yAxis(WEIGHT, { max: 100, ticks: [0, 25, 50, 75, 100] }, ' %', 'weight'),
    `<polygon class="green-area" points="${area}"/>`,
    `<polyline id="green-weight" class="green-line" points="${coords.join(' ')}"/>`,
    shiftLabels,
  ].join('');
}

function verdictLane(report: RunReport, scale: Scale): string {
  const dots = report.timeline
    .map((point) => {
      const x = f1(scale.x(Date.parse(point.at)));
      const tip = `${point.verdict ?? '?'} at ${point.greenPercent}% green -> ${point.action ?? '?'}: ${point.reason ?? ''}`;
      return `<circle class="verdict verdict-${escapeHtml(point.verdict ?? 'none')}" cx="${x}" cy="${LANE.top + LANE.height / 2}" r="5" fill="${verdictColor(point.verdict)}"><title>${escapeHtml(tip)}</title></circle>`;
    })
    .join('');
  return (
    `<text class="lane-label" x="${LEFT - 8}" y="${LANE.top + LANE.height / 2 + 4}" text-anchor="end">verdicts</text>` +
    `<rect class="lane" x="${LEFT}" y="${LANE.top}" width="${PLOT_W}" height="${LANE.height}" rx="4"/>` +
    `<g id="verdicts">${dots}</g>`
  );
}

interface MetricPanelSpec {
  id: string;
  title: string;
  note: string;
  panel: { top: number; height: number };
  unit: string;
  value: (point: TimelinePoint) => number | null;
  baseline: (point: TimelinePoint) => number | null | undefined;
  limit: number | null;
  limitText: (limit: number) => string;
  format: (value: number) => string;
  empty: string;
}

function metricPanel(report: RunReport, scale: Scale, spec: MetricPanelSpec): string {
  const measured = report.timeline.filter((point) => spec.value(point) !== null);
  const baselines = report.timeline
    .map((point) => ({ point, limit: spec.baseline(point) }))
    .filter(
      (entry): entry is { point: TimelinePoint; limit: number } => typeof entry.limit === 'number'
    );
  const highest = Math.max(
    spec.limit ?? 0,
    ...measured.map((point) => spec.value(point) ?? 0),
    ...baselines.map((entry) => entry.limit)
  );
  const ticks = niceTicks(highest * 1.12, 4);
  const { top, height } = spec.panel;
  const y = (value: number) => top + height - (Math.min(value, ticks.max) / ticks.max) * height;
  const parts = [
    panelTitle(spec.title, top, spec.note),
    `<rect class="panel-bg" x="${LEFT}" y="${top}" width="${PLOT_W}" height="${height}"/>`,
  ];
  if (spec.limit !== null) {
    const ly = f1(y(spec.limit));
    parts.push(
      `<rect class="fail-zone" x="${LEFT}" y="${top}" width="${PLOT_W}" height="${f1(Number(ly) - top)}"/>`
    );
  }
  parts.push(yAxis(spec.panel, ticks, spec.unit, spec.id));
  if (baselines.length > 0) {
    const coords: string[] = [];
    baselines.forEach((entry, index) => {
      const x = scale.x(Date.parse(entry.point.at));
      if (index === 0) coords.push(`${f1(x - 8)},${f1(y(entry.limit))}`);
      else coords.push(`${f1(x)},${f1(y(baselines[index - 1]!.limit))}`);
      coords.push(`${f1(x)},${f1(y(entry.limit))}`);
    });
    const firstBaseline = baselines[0]!;
    const baselineY = y(firstBaseline.limit);
    // Named above its line when there is room; next to the absolute limit's line the legend names it.
    const crowded = spec.limit !== null && Math.abs(y(spec.limit) - (baselineY - 8)) < 14;
    parts.push(
      `<polyline id="${spec.id}-baseline-limit" class="baseline-limit" points="${coords.join(' ')}"><title>blue-relative limit</title></polyline>`
    );
    if (!crowded) {
      parts.push(
        `<text class="baseline-label" x="${f1(scale.x(Date.parse(firstBaseline.point.at)) - 8)}" y="${f1(baselineY - 5)}">blue-relative limit</text>`
      );
    }
  }
  if (spec.limit !== null) {
    const ly = f1(y(spec.limit));
    parts.push(
      `<line id="${spec.id}-limit" class="limit" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${ly}" y2="${ly}"/>`,
      `<text class="limit-label" x="${LEFT + PLOT_W - 6}" y="${f1(Number(ly) - 6)}" text-anchor="end">${escapeHtml(spec.limitText(spec.limit))}</text>`
    );
  }
  if (measured.length === 0) {
    parts.push(
      `<text class="empty" x="${LEFT + PLOT_W / 2}" y="${top + height / 2}" text-anchor="middle">${escapeHtml(spec.empty)}</text>`
    );
  } else {
    // One line per step: the value is not measured across a shift, so its segments are not joined.
    const segments: TimelinePoint[][] = [];
    for (const point of measured) {
      const current = segments.at(-1);
      if (current !== undefined && current[0]!.greenPercent === point.greenPercent)
        current.push(point);
      else segments.push([point]);
    }
    segments.forEach((segment, index) => {
      const coords = segment.map(
        (point) => `${f1(scale.x(Date.parse(point.at)))},${f1(y(spec.value(point)!))}`
      );
      parts.push(
        `<polyline id="${spec.id}-line-${index}" class="metric-line" points="${coords.join(' ')}"/>`
      );
    });
    parts.push(
      measured
        .map((point) => {
          const value = spec.value(point)!;
          const tip = `${spec.format(value)} at ${point.greenPercent}% green: ${point.verdict ?? ''}`;
          const limits = [spec.limit, spec.baseline(point)].filter(
            (limit): limit is number => typeof limit === 'number'
          );
          const breached = limits.some((limit) => value > limit);
          // A dot is red only when this metric is the one out of bounds; another check's Fail leaves it green.
          const color = breached
            ? verdictColor(point.verdict === 'Fail' ? 'Fail' : 'Inconclusive')
            : verdictColor(point.verdict === 'Fail' ? 'Pass' : point.verdict);
          return `<circle class="metric-dot${breached ? ' breached' : ''}" cx="${f1(scale.x(Date.parse(point.at)))}" cy="${f1(y(value))}" r="${breached ? 4.5 : 3.5}" fill="${color}"><title>${escapeHtml(tip)}</title></circle>`;
        })
        .join('')
    );
  }
  return `<g id="${spec.id}-panel">${parts.join('')}</g>`;
}

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
    const segments = [WEIGHT, LANE, ERRORS, LATENCY]
      .map(
        (panel) =>
          `<line class="marker-shift" x1="${x}" x2="${x}" y1="${panel.top}" y2="${panel.top + panel.height}"/>`
      )
      .join('');
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
  if (rollback) {
    terminal.push({
      x: scale.x(Date.parse(rollback.at)),
      id: 'rollback-marker',
      cls: 'rollback',
      text: 'ROLLBACK · snapshot restored',
    });
  }
  if (abort) {
    const text = restored ? 'ABORTED · snapshot restored' : 'ABORTED';
    terminal.push({ x: scale.x(Date.parse(abort.at)), id: 'abort-marker', cls: 'abort', text });
  } else if (restored && !rollback) {
    terminal.push({
      x: scale.x(Date.parse(restored.at)),
      id: 'recovery-marker',
      cls: 'abort',
      text: 'snapshot restored',
    });
  }
  if (complete) {
    terminal.push({
      x: scale.x(Date.parse(complete.at)),
      id: 'complete-marker',
      cls: 'complete',
      text: 'COMPLETED',
    });
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

/** The chart: one SVG, three panels over a shared time axis, markers across all of them. */
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
    verdictLane(report, scale),
    metricPanel(report, scale, {
      id: 'error-rate',
      title: 'Green 5xx error rate',
      note: 'HTTPCode_Target_5XX_Count / requests, all discovery names',
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
      title: 'Green average response time',
      note: 'TargetResponseTime average',
      panel: LATENCY,
      unit: ' ms',
      value: (point) => point.latencyAvgMs,
      baseline: (point) => point.latencyBaselineLimitMs,
      limit: report.limits.latencyAvgMaxMs,
      limitText: (limit) => `limit ${trimNumber(limit, 0)} ms`,
      format: (value) => `${trimNumber(value, 0)} ms`,
      empty: 'no latency measurement yet',
    }),
    xAxis(scale),
  ].join('');
  return (
    `<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Green weight, error rate and latency over time">` +
    `${body}<g id="shift-markers">${markers.lines}</g><g id="terminal-markers">${markers.labels}</g></svg>`
  );
}

// ---------- page ----------

function legend(report: RunReport): string {
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
  return `<div class="legend">${items.join('')}</div>`;
}

function verdictCounts(timeline: readonly TimelinePoint[]): string {
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

function stepsText(report: RunReport): string {
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

function pairRows(report: RunReport): string {
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

function evaluationRows(report: RunReport, start: number): string {
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

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 24px 48px; }
.banner { border-radius: 12px; padding: 18px 22px; color: #fff; display: flex; gap: 22px; align-items: flex-start; }
.banner.completed { background: linear-gradient(135deg, #1a7f37, #2da44e); }
.banner.rolled-back, .banner.failed, .banner.invalid-input { background: linear-gradient(135deg, #a40e26, #cf222e); }
.banner.aborted, .banner.stopped-on-drift { background: linear-gradient(135deg, #9a4d00, #d4760a); }
.banner.running { background: linear-gradient(135deg, #0550ae, #218bff); }
.badge { font-size: 13px; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; background: rgba(255,255,255,.2); border: 1px solid rgba(255,255,255,.5); padding: 6px 12px; border-radius: 999px; white-space: nowrap; }
.banner h1 { margin: 0 0 2px; font-size: 22px; }
.banner .subtitle { margin: 0 0 8px; opacity: .92; }
.banner ul { margin: 0; padding-left: 18px; font-size: 13px; opacity: .95; }
.banner li:first-child { font-weight: 600; font-size: 14px; }
.stats { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 16px 0; }
.stat { background: #fff; border: 1px solid #d0d7de; border-radius: 10px; padding: 10px 14px; }
.stat .label { color: #59636e; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.stat .value { font-size: 22px; font-weight: 650; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 12px; padding: 16px 18px; margin: 16px 0; }
.card h2 { margin: 0 0 10px; font-size: 16px; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
.panel-title { font-size: 14px; font-weight: 650; fill: #1f2328; }
.panel-note { font-size: 12px; font-weight: 400; fill: #59636e; }
.blue-share { fill: #dcebfd; }
.green-area { fill: #2da44e; fill-opacity: .28; }
.green-line { fill: none; stroke: #1a7f37; stroke-width: 3; stroke-linejoin: round; }
.step-label { font-size: 12px; font-weight: 700; fill: #1a7f37; }
.grid { stroke: #d8dee4; stroke-width: 1; }
.axis, .xtick { stroke: #8c959f; stroke-width: 1; }
.tick { font-size: 11px; fill: #59636e; }
.axis-caption, .lane-label { font-size: 11px; fill: #59636e; }
.panel-bg { fill: #fbfcfd; }
.fail-zone { fill: #fff1f0; }
.lane { fill: #f3f4f6; }
.limit { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 7 5; }
.limit-label { font-size: 11px; font-weight: 650; fill: #cf222e; }
.baseline-limit { fill: none; stroke: #bf8700; stroke-width: 1.5; stroke-dasharray: 3 4; }
.baseline-label { font-size: 11px; fill: #9a6700; }
.metric-line { fill: none; stroke: #57606a; stroke-width: 1.6; stroke-linejoin: round; }
.metric-dot, .verdict { stroke: #fff; stroke-width: 1.2; }
.marker-shift { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 2 4; }
.marker-line { stroke-width: 2.5; }
.marker-text { font-size: 12px; font-weight: 700; fill: #fff; letter-spacing: .04em; }
.marker-rollback .marker-line { stroke: #cf222e; } .marker-rollback .marker-box { fill: #cf222e; }
.marker-abort .marker-line { stroke: #d4760a; } .marker-abort .marker-box { fill: #d4760a; }
.marker-complete .marker-line { stroke: #1a7f37; } .marker-complete .marker-box { fill: #1a7f37; }
.empty { font-size: 13px; fill: #8c959f; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 10px; font-size: 12px; color: #424a53; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 16px; height: 10px; border-radius: 2px; }
.sw-green { background: #2da44e; } .sw-blue { background: #dcebfd; border: 1px solid #b6d4fb; }
.sw-pass { background: #1a7f37; border-radius: 50%; width: 10px; } .sw-fail { background: #cf222e; border-radius: 50%; width: 10px; }
.sw-inconclusive { background: #bf8700; border-radius: 50%; width: 10px; } .sw-error { background: #8250df; border-radius: 50%; width: 10px; }
.sw-limit { height: 0; border-top: 2px dashed #cf222e; border-radius: 0; }
.sw-baseline { height: 0; border-top: 2px dotted #bf8700; border-radius: 0; }
.sw-shift { height: 0; width: 0; height: 12px; border-left: 1px dashed #8c959f; border-radius: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-size: 12px; color: #59636e; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.summary th { width: 210px; text-transform: none; font-size: 13px; letter-spacing: 0; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.muted { color: #6e7781; }
.ok { color: #1a7f37; font-weight: 600; }
.pill { display: inline-block; color: #fff; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; white-space: nowrap; }
td.reason { font-size: 12.5px; color: #424a53; }
.evaluations { font-size: 13px; }
.evaluations td:nth-child(2) { white-space: nowrap; }
footer { color: #6e7781; font-size: 12px; margin-top: 24px; }
`;

/**
 * Splits a reason at `; ` into lines a person can scan; a part without a `label:` continues the line before
 * (`on-execution-end: execution ABORTED; records differ from the snapshot` stays one line).
 */
export function reasonLines(reason: string): string[] {
  const lines: string[] = [];
  for (const part of reason.split(/;\s+/)) {
    if (part.trim() === '') continue;
    if (lines.length > 0 && !/^[\w .()-]+:/.test(part)) lines[lines.length - 1] += `; ${part}`;
    else lines.push(part);
  }
  return lines;
}

/** Renders the report as one self-contained HTML page. Every text from the run is escaped. */
export function renderReport(report: RunReport): string {
  const start = Date.parse(report.startedAt);
  const duration = Date.parse(report.endedAt) - start;
  const reasons = reasonLines(report.reason)
    .map((part) => `<li>${escapeHtml(part)}</li>`)
    .join('');
  const peak = Math.max(
    0,
    ...report.markers.filter((m) => m.kind === 'shift').map((m) => Number.parseFloat(m.label) || 0)
  );
  const finalGreen = greenPercentOf(report.finalPairs);
  const fails = report.timeline.filter((point) => point.verdict === 'Fail').length;
  const stat = (label: string, value: string) =>
    `<div class="stat"><div class="label">${escapeHtml(label)}</div><div class="value">${value}</div></div>`;
  const limits = [
    `error rate ≤ ${trimNumber(report.limits.errorRateMaxPercent, 2)} %`,
    report.limits.latencyAvgMaxMs === null
      ? 'no absolute latency limit'
      : `latency avg ≤ ${trimNumber(report.limits.latencyAvgMaxMs, 0)} ms`,
    report.timeline.some((point) => typeof point.errorRateBaselineLimitPercent === 'number')
      ? 'and relative to blue (baseline)'
      : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)} — ${escapeHtml(OUTCOME_TEXT[report.outcome])}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header id="outcome" class="banner ${escapeHtml(report.outcome)}">
  <div class="badge">${escapeHtml(OUTCOME_TEXT[report.outcome])}</div>
  <div>
    <h1>${escapeHtml(report.title)}</h1>
    <p class="subtitle">${escapeHtml(OUTCOME_SUBTITLE[report.outcome])}</p>
    <ul class="reason">${reasons}</ul>
  </div>
</header>
<section class="stats">
  ${stat('Peak green', `${escapeHtml(trimNumber(peak, 1))} %`)}
  ${stat('Green at the end', finalGreen === null ? '–' : `${escapeHtml(trimNumber(finalGreen, 1))} %`)}
  ${stat('Evaluations', `${report.timeline.length}${fails > 0 ? ` <span style="color:#cf222e;font-size:15px">(${fails} Fail)</span>` : ''}`)}
  ${stat('Duration', escapeHtml(formatDuration(duration)))}
  ${stat('Steps taken', `${report.markers.filter((m) => m.kind === 'shift').length}${(report.plannedSteps ?? []).length > 0 ? ` <span class="muted" style="font-size:15px">of ${(report.plannedSteps ?? []).length}</span>` : ''}`)}
</section>
<section class="card">
  <h2>Green weight, error rate and latency over time</h2>
  ${renderChart(report)}
  ${legend(report)}
</section>
<section class="card">
  <h2>Summary</h2>
  <table class="summary">
    <tr><th>Outcome</th><td><b>${escapeHtml(OUTCOME_TEXT[report.outcome])}</b> <span class="muted">(exit code ${report.exitCode})</span></td></tr>
    <tr><th>Migration</th><td class="mono">${escapeHtml(report.migrationId)}</td></tr>
    <tr><th>Execution</th><td class="mono">${escapeHtml(report.executionArn)}</td></tr>
    <tr><th>Started · ended</th><td>${escapeHtml(utc(report.startedAt))} · ${escapeHtml(utc(report.endedAt))} <span class="muted">(${escapeHtml(formatDuration(duration))}${report.clock === 'virtual' ? ' of virtual time: waits were compressed' : ''})</span></td></tr>
    <tr><th>Steps</th><td>${stepsText(report)}</td></tr>
    <tr><th>Evaluations</th><td>${report.timeline.length} ${verdictCounts(report.timeline)}</td></tr>
    <tr><th>Limits</th><td>${escapeHtml(limits)}</td></tr>
    <tr><th>History events · state transitions</th><td>${formatCount(report.historyEvents)} <span class="muted">of 25,000 per execution</span> · ${formatCount(report.stateTransitions)}</td></tr>
  </table>
</section>
<section class="card">
  <h2>Weights: snapshot and end</h2>
  <table>
    <tr><th>Record</th><th class="num">Snapshot blue</th><th class="num">Snapshot green</th><th class="num">End blue</th><th class="num">End green</th><th>At the end</th></tr>
    ${pairRows(report) || '<tr><td colspan="6" class="muted">no snapshot: the run ended before preflight read the records</td></tr>'}
  </table>
</section>
<section class="card">
  <h2>Every evaluation</h2>
  <table class="evaluations">
    <tr><th class="num">#</th><th>Time</th><th class="num">Green</th><th>Verdict</th><th class="num">Error rate</th><th class="num">Latency</th><th class="num">Requests</th><th>Decision</th><th>Reason</th></tr>
    ${evaluationRows(report, start) || '<tr><td colspan="9" class="muted">no evaluation</td></tr>'}
  </table>
</section>
<footer>traffic-shift report · times in UTC${report.clock === 'virtual' ? ' on the local run’s virtual clock' : ''} · ${escapeHtml(report.executionArn)}</footer>
</main>
</body>
</html>
`;
}

/** Writes the report, creating folders; returns the path. */
export function writeReport(report: RunReport, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(report));
  return path;
}
