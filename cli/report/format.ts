/** Text formatting for the report and the terminal: escaping, numbers, durations, times, reasons, colors. */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const VERDICT_COLOR: Record<string, string> = {
  Pass: '#1a7f37',
  Fail: '#cf222e',
  Inconclusive: '#bf8700',
  Error: '#8250df',
};
export const verdictColor = (verdict: string | null) => VERDICT_COLOR[verdict ?? ''] ?? '#6e7781';

/** `toFixed` without trailing zeros after the decimal point: 1.50 -> 1.5, 250 -> 250. */
export function trimNumber(value: number, digits: number): string {
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(digits)} %`;
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined
    ? '–'
    : `${trimNumber(value, value < 10 ? 1 : 0)} ms`;
}

export function formatCount(value: number | null | undefined): string {
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
export function relative(at: string, start: number): string {
  const seconds = Math.max(0, Math.round((Date.parse(at) - start) / 1_000));
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export function utc(at: string): string {
  return at
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/Z$/, ' UTC');
}

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
