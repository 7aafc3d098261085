/**
 * A minute CloudWatch publishes later than publicationDelaySeconds (aws-facts.md §1.1: the delay is
 * UNCONFIRMED) is judged by the next evaluation instead of being skipped: the window cursor moves only to
 * the end of the newest period with green data. Drives the real window, verdict and decide together.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../functions/core/decide.ts';
import { Action, type ShiftStatus, Verdict } from '../../../functions/core/types.ts';
import { evaluate } from '../../../functions/core/verdict.ts';
import { evaluationWindow } from '../../../functions/core/window.ts';
import { inputWith, sample, statusAt } from './fixtures.ts';

const JUDGING_FROM = '2025-01-01T00:00:00.000Z';
const MINUTE_MS = 60_000;
const at = (minutes: number) => new Date(Date.parse(JUDGING_FROM) + minutes * MINUTE_MS);
const input = inputWith({
  plan: { steps: [10, 50, 100], bakeSeconds: 600 },
  metrics: { periodSeconds: 60, publicationDelaySeconds: 120, windowSeconds: 300 },
  limits: { maxFailures: 5, maxConsecutiveFailures: 5 },
});

/** Per minute (from JUDGING_FROM): 1,000 requests, its 5xx, and when CloudWatch publishes it. */
interface Minute {
  errors: number;
  publishedAtMinute: number;
}

/** What GetMetricData would return for `orders` over `window` at `now`: published minutes only. */
function read(minutes: readonly Minute[], window: { start: string; end: string }, now: Date) {
  const first = (Date.parse(window.start) - Date.parse(JUDGING_FROM)) / MINUTE_MS;
  const last = (Date.parse(window.end) - Date.parse(JUDGING_FROM)) / MINUTE_MS;
  const published = minutes
    .map((minute, index) => ({ ...minute, index }))
    .filter(
      (m) =>
        m.index >= first && m.index < last && at(m.publishedAtMinute).getTime() <= now.getTime()
    );
  if (published.length === 0) return sample('orders');
  const requests = published.length * 1_000;
  const errors = published.reduce((sum, m) => sum + m.errors, 0);
  return sample('orders', {
    http2xx: requests - errors,
    http5xx: errors,
    requestCount: requests,
    periodStarts: published.map((m) => at(m.index).toISOString()),
  });
}

function evaluateAt(status: ShiftStatus, minutes: readonly Minute[], now: Date) {
  const window = evaluationWindow(now, status, input.metrics);
  if (window === null) throw new Error('expected a window');
  const evaluation = evaluate(
    { kind: 'ok', services: [read(minutes, window, now)] },
    null,
    input,
    window
  );
  return {
    window,
    evaluation,
    ...decide({ status, evaluation, steps: [10, 50, 100], input, now }),
  };
}

describe('A minute published late', () => {
  it('is judged by the next evaluation: the cursor stops after the newest minute with data', () => {
    // Prepare: minutes 0 and 1 are healthy and on time; minute 2 (00:02-00:03) is bad (10 % 5xx) and
    // published at 00:06 instead of 00:05; minute 3 is healthy and on time.
    const minutes: Minute[] = [
      { errors: 0, publishedAtMinute: 3 },
      { errors: 0, publishedAtMinute: 4 },
      { errors: 100, publishedAtMinute: 6 },
      { errors: 0, publishedAtMinute: 6 },
    ];
    const start = statusAt(10, JUDGING_FROM);

    // Act: at 00:05 the window is minutes 0-2 (end 00:03); at 00:06 the next one starts where data stopped.
    const first = evaluateAt(start, minutes, at(5));
    const second = evaluateAt(first.status, minutes, at(6));

    // Assess
    expect(first.window).toEqual({ start: at(0).toISOString(), end: at(3).toISOString() });
    expect(first.evaluation).toMatchObject({
      verdict: Verdict.Pass,
      judgedUntil: at(2).toISOString(),
    });
    expect(first.status.windowFrom).toBe(at(2).toISOString());
    // The bake counts judged traffic up to the same instant: 2 minutes, not 3.
    expect(first.decision).toMatchObject({ action: Action.Observe });
    expect(first.decision.reason).toMatch(/^baking at 10%: 120 s of 600 s; /);
    expect(second.window).toEqual({ start: at(2).toISOString(), end: at(4).toISOString() });
    expect(second.evaluation).toMatchObject({
      verdict: Verdict.Fail,
      judgedUntil: at(4).toISOString(),
    });
    expect(second.status).toMatchObject({ windowFrom: at(4).toISOString(), failures: 1 });
  });

  it('moves the cursor to the window end when the data reaches it', () => {
    // Prepare: every minute on time
    const minutes: Minute[] = [0, 1, 2].map((index) => ({
      errors: 0,
      publishedAtMinute: index + 2,
    }));

    // Act
    const { evaluation, status, decision } = evaluateAt(statusAt(10, JUDGING_FROM), minutes, at(5));

    // Assess
    expect(evaluation).toMatchObject({ verdict: Verdict.Pass, judgedUntil: at(3).toISOString() });
    expect(status.windowFrom).toBe(at(3).toISOString());
    expect(decision.reason).toMatch(/^baking at 10%: 180 s of 600 s; /);
  });

  it('keeps the cursor when nothing is published yet (Inconclusive)', () => {
    // Prepare: nothing published before 00:09
    const minutes: Minute[] = [0, 1, 2].map(() => ({ errors: 0, publishedAtMinute: 9 }));
    const start = statusAt(10, JUDGING_FROM);

    // Act
    const { evaluation, status } = evaluateAt(start, minutes, at(5));

    // Assess
    expect(evaluation).toMatchObject({
      verdict: Verdict.Inconclusive,
      judgedUntil: at(3).toISOString(),
    });
    expect(status.windowFrom).toBe(start.windowFrom);
  });
});
