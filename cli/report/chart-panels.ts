/** The chart's panels: green's share of the traffic, the verdict lane, and a metric against its limits. */
import type { RunReport, TimelinePoint } from '../rehearsal.ts';
import {
  f1,
  LANE,
  LEFT,
  niceTicks,
  PLOT_W,
  panelTitle,
  type Scale,
  WEIGHT,
  yAxis,
} from './chart-layout.ts';
import { escapeHtml, trimNumber, verdictColor } from './format.ts';
import { seriesOf, sourcesOf } from './metric-series.ts';
import { greenPercentOf, greenSeries } from './series.ts';
import { PRIMARY_KEY, seriesLines } from './series-lines.ts';

export function weightPanel(report: RunReport, scale: Scale): string {
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
  // Where the snapshot came back, the line drops to its share: said in words too (the marker hides the drop).
  const restored = report.markers.find(
    (marker) =>
      marker.kind === 'rollback' ||
      (marker.kind === 'recovery' && marker.label === 'snapshot restored')
  );
  const restoredShare = greenPercentOf(report.snapshot) ?? 0;
  const restoredLabel =
    restored === undefined
      ? ''
      : `<text id="restored-label" class="step-label" x="${f1(scale.x(Date.parse(restored.at)) - 6)}" y="${f1(Math.max(WEIGHT.top + 12, y(restoredShare) - 6))}" text-anchor="end">restored: ${escapeHtml(trimNumber(restoredShare, 1))}% green</text>`;
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
    restoredLabel,
  ].join('');
}

export function verdictLane(report: RunReport, scale: Scale): string {
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

export interface MetricPanelSpec {
  id: string;
  /** The assessments' check whose samples are drawn beside the main line (blue, discovery names, sources). */
  check: string;
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

export function metricPanel(report: RunReport, scale: Scale, spec: MetricPanelSpec): string {
  const measured = report.timeline.filter((point) => spec.value(point) !== null);
  const baselines = report.timeline
    .map((point) => ({ point, limit: spec.baseline(point) }))
    .filter(
      (entry): entry is { point: TimelinePoint; limit: number } => typeof entry.limit === 'number'
    );
  const others = seriesOf(report, spec.check).filter((series) => series.key !== PRIMARY_KEY);
  const highest = Math.max(
    spec.limit ?? 0,
    ...measured.map((point) => spec.value(point) ?? 0),
    ...baselines.map((entry) => entry.limit),
    ...others.flatMap((series) => series.points.map((point) => point.value))
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
  parts.push(seriesLines(spec.id, others, sourcesOf(report), scale, y, spec.format));
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
