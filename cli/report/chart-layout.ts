/**
 * The chart's geometry: one SVG 1,100 wide, panels stacked over a shared time axis; round ticks, axes and
 * panel titles.
 */
import { escapeHtml, trimNumber } from './format.ts';

export interface Ticks {
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

export const W = 1_100;
export const LEFT = 78;
const RIGHT = 28;
export const PLOT_W = W - LEFT - RIGHT;
export const BAND_TOP = 6;
export const WEIGHT = { top: 64, height: 180 };
export const LANE = { top: 258, height: 24 };
export const ERRORS = { top: 326, height: 130 };
export const LATENCY = { top: 500, height: 130 };
export const AXIS_Y = LATENCY.top + LATENCY.height;
export const H = AXIS_Y + 44;

export const f1 = (value: number) => trimNumber(value, 1);

export interface Scale {
  x: (t: number) => number;
  t0: number;
  t1: number;
}

export function panelTitle(text: string, top: number, note = ''): string {
  return (
    `<text class="panel-title" x="${LEFT}" y="${top - 10}">${escapeHtml(text)}` +
    (note ? `<tspan class="panel-note" dx="10">${escapeHtml(note)}</tspan>` : '') +
    '</text>'
  );
}

export function yAxis(
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

export function xAxis(scale: Scale): string {
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
