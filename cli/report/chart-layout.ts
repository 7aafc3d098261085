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

function sinceStart(minutes: number): string {
  if (minutes === 0) return 'start';
  if (minutes < 60) return `+${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `+${hours} h` : `+${hours} h ${rest}`;
}

/** `09:42` (UTC), with the date when the span crosses midnight or is at its start. */
function clockTime(t: number, withDate: boolean): string {
  const iso = new Date(t).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

export const W = 1_100;
export const LEFT = 78;
const RIGHT = 28;
export const PLOT_W = W - LEFT - RIGHT;
export const BAND_TOP = 6;
export const WEIGHT = { top: 64, height: 180 };
/** The state machine's waits (INSYNC, TTL and publication), under the weight panel they explain. */
export const WAITS = { top: 250, height: 16 };
export const LANE = { top: 274, height: 24 };
export const ERRORS = { top: 342, height: 130 };
export const LATENCY = { top: 516, height: 130 };
export const REQUESTS = { top: 690, height: 110 };
export const AXIS_Y = REQUESTS.top + REQUESTS.height;
export const H = AXIS_Y + 58;
/** Every panel a shift's dotted line crosses. */
export const PANELS = [WEIGHT, WAITS, LANE, ERRORS, LATENCY, REQUESTS];

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

/** Absolute UTC clock times on the axis, each with its offset from the start under it. */
export function xAxis(scale: Scale): string {
  const spanMinutes = (scale.t1 - scale.t0) / 60_000;
  const step = TICK_MINUTES.find((minutes) => spanMinutes / minutes <= 12) ?? 10_080;
  const crossesDay =
    new Date(scale.t0).toISOString().slice(0, 10) !== new Date(scale.t1).toISOString().slice(0, 10);
  const parts: string[] = [];
  for (let minutes = 0; minutes <= spanMinutes; minutes += step) {
    const t = scale.t0 + minutes * 60_000;
    const x = f1(scale.x(t));
    parts.push(
      `<line class="xtick" x1="${x}" x2="${x}" y1="${AXIS_Y}" y2="${AXIS_Y + 5}"/>` +
        `<text class="tick utc-tick" x="${x}" y="${AXIS_Y + 19}" text-anchor="middle">${clockTime(t, crossesDay || minutes === 0)}</text>` +
        `<text class="tick since-tick" x="${x}" y="${AXIS_Y + 33}" text-anchor="middle">${sinceStart(minutes)}</text>`
    );
  }
  const day = new Date(scale.t0).toISOString().slice(0, 10);
  parts.push(
    `<text class="axis-caption" x="${LEFT + PLOT_W}" y="${AXIS_Y + 52}" text-anchor="end">time in UTC (${day}) · under it, time since the execution started</text>`
  );
  return `<g id="x-axis"><line class="axis" x1="${LEFT}" x2="${LEFT + PLOT_W}" y1="${AXIS_Y}" y2="${AXIS_Y}"/>${parts.join('')}</g>`;
}
