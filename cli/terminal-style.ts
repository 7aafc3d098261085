/**
 * The terminal's styling for the CLI's printed output: whether to colour (NO_COLOR, FORCE_COLOR, TERM), the ANSI
 * styles, a verdict's colour and how a line is cut to fit. Separate from progress.ts and run-summary.ts because
 * both the live progress and the end summary paint with it, and neither owns the other.
 */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
} as const;
export type Style = keyof typeof ANSI;
export const ESCAPE_CODES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Colour on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR decides over both, as in Node itself
 * (unset: no say; '0' or 'false': never; anything else, even empty: always, pipes included).
 */
export function useColor(stream: TextStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

export function paint(enabled: boolean) {
  return (text: string, ...styles: Style[]) =>
    enabled && styles.length > 0
      ? `${styles.map((style) => ANSI[style]).join('')}${text}${ANSI.reset}`
      : text;
}

export const VERDICT_STYLE: Record<string, Style> = {
  Pass: 'green',
  Fail: 'red',
  Inconclusive: 'yellow',
  Error: 'magenta',
};

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
