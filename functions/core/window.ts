/**
 * Which metric window an evaluation judges. The core never reads the clock: `now` is passed in.
 */
import type { MigrationInput } from './input.ts';
import type { ShiftStatus, TimeWindow } from './types.ts';

/**
 * The metric settings the window depends on.
 *
 * @example
 * evaluationWindow(now, state.status, input.metrics); // a whole MigrationInput['metrics'] fits
 */
export type WindowSettings = Pick<
  MigrationInput['metrics'],
  'periodSeconds' | 'publicationDelaySeconds' | 'windowSeconds'
> &
  Partial<Pick<MigrationInput['metrics'], 'earliestPublicationSeconds' | 'publicationPollSeconds'>>;

/**
 * Where the step's judging stands: a whole `ShiftStatus` fits. `windowFrom` may be missing in a state
 * written before the cursor existed; the window then starts at `judgingFrom`.
 *
 * @example
 * const cursor: WindowCursor = { judgingFrom: '2025-01-01T00:01:10Z', windowFrom: '2025-01-01T00:05:00Z' };
 */
export type WindowCursor = Pick<ShiftStatus, 'judgingFrom'> & {
  windowFrom?: ShiftStatus['windowFrom'] | undefined;
};

function toMillis(label: string, value: Date | string): number {
  const millis = new Date(value).getTime();
  if (Number.isNaN(millis))
    throw new RangeError(`evaluationWindow: ${label} is not a valid time (${String(value)})`);
  return millis;
}

/**
 * The window to judge at `now`, aligned to the metric period:
 * `end = floor((now - lag) / period) x period`, the lag being `publicationDelaySeconds`, or
 * `earliestPublicationSeconds` when polling for publication (`publicationPollSeconds` > 0: the newest minute
 * may be missing and is looked for again, publication.ts), `start = max(end - windowSeconds, ceil(max(judgingFrom, windowFrom) / period) x period)`:
 * never a datapoint that mixes in traffic from before the current weights reached resolvers, and never
 * one already judged Pass or Fail (`windowFrom`, the cursor `decide` moves), so consecutive verdicts judge
 * independent data. After an Inconclusive the cursor stays and the window grows, at most to `windowSeconds`
 * (then its start moves forward). Null while the step is not judgeable yet (`judgingFrom` null) or when
 * less than one whole period fits.
 *
 * @throws RangeError when `now`, `judgingFrom` or `windowFrom` is not a valid time.
 * @example
 * evaluationWindow(new Date('2025-01-01T00:10:30Z'), { judgingFrom: '2025-01-01T00:01:10Z', windowFrom: '2025-01-01T00:06:00Z' }, { periodSeconds: 60, publicationDelaySeconds: 180, windowSeconds: 300 });
 * // => { start: '2025-01-01T00:06:00.000Z', end: '2025-01-01T00:07:00.000Z' }
 */
export function evaluationWindow(
  now: Date,
  cursor: WindowCursor,
  metrics: WindowSettings
): TimeWindow | null {
  if (cursor.judgingFrom === null) return null;
  const nowMillis = toMillis('now', now);
  const fromMillis = Math.max(
    toMillis('judgingFrom', cursor.judgingFrom),
    cursor.windowFrom == null ? Number.NEGATIVE_INFINITY : toMillis('windowFrom', cursor.windowFrom)
  );
  const periodMillis = metrics.periodSeconds * 1_000;
  // Polling for publication (publication.ts): the window may hold a minute from its first look on.
  const lagSeconds =
    (metrics.publicationPollSeconds ?? 0) > 0
      ? Math.min(
          metrics.earliestPublicationSeconds ?? metrics.publicationDelaySeconds,
          metrics.publicationDelaySeconds
        )
      : metrics.publicationDelaySeconds;
  const end = Math.floor((nowMillis - lagSeconds * 1_000) / periodMillis) * periodMillis;
  const start = Math.max(
    end - metrics.windowSeconds * 1_000,
    Math.ceil(fromMillis / periodMillis) * periodMillis
  );
  if (end - start < periodMillis) return null;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}
