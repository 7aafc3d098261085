/**
 * Which metric window an evaluation judges. The core never reads the clock: `now` is passed in.
 */
import type { MigrationInput } from './input.ts';
import type { TimeWindow } from './types.ts';

/**
 * The metric settings the window depends on.
 *
 * @example
 * evaluationWindow(now, judgingFrom, input.metrics); // a whole MigrationInput['metrics'] fits
 */
export type WindowSettings = Pick<
  MigrationInput['metrics'],
  'periodSeconds' | 'publicationDelaySeconds' | 'windowSeconds'
>;

function toMillis(label: string, value: Date | string): number {
  const millis = new Date(value).getTime();
  if (Number.isNaN(millis))
    throw new RangeError(`evaluationWindow: ${label} is not a valid time (${String(value)})`);
  return millis;
}

/**
 * The window to judge at `now`, aligned to the metric period:
 * `end = floor((now - publicationDelay) / period) x period` (CloudWatch has not published anything
 * newer yet), `start = max(end - windowSeconds, ceil(judgingFrom / period) x period)` (never a datapoint
 * that mixes in traffic from before the current weights reached resolvers). Null while the step is not
 * judgeable yet (`judgingFrom` null) or when less than one whole period fits.
 *
 * @throws RangeError when `now` or `judgingFrom` is not a valid time.
 * @example
 * evaluationWindow(new Date('2025-01-01T00:10:30Z'), '2025-01-01T00:01:10Z', { periodSeconds: 60, publicationDelaySeconds: 180, windowSeconds: 300 });
 * // => { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:07:00.000Z' }
 */
export function evaluationWindow(
  now: Date,
  judgingFrom: string | null,
  metrics: WindowSettings
): TimeWindow | null {
  if (judgingFrom === null) return null;
  const nowMillis = toMillis('now', now);
  const judgingFromMillis = toMillis('judgingFrom', judgingFrom);
  const periodMillis = metrics.periodSeconds * 1_000;
  const end =
    Math.floor((nowMillis - metrics.publicationDelaySeconds * 1_000) / periodMillis) * periodMillis;
  const start = Math.max(
    end - metrics.windowSeconds * 1_000,
    Math.ceil(judgingFromMillis / periodMillis) * periodMillis
  );
  if (end - start < periodMillis) return null;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}
