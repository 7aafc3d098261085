import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENTS_PER_EVALUATION } from '../../../functions/core/history.ts';
import {
  awaitPublication,
  newestPeriodPublished,
  nextLookSeconds,
  windowLagSeconds,
} from '../../../functions/core/publication.ts';
import { afterShift, afterSyncCheck, newRunState } from '../../../functions/core/run.ts';
import { Action, Verdict } from '../../../functions/core/types.ts';
import { inputWith, pairWith, sample } from './fixtures.ts';

const METRICS = {
  periodSeconds: 60,
  publicationDelaySeconds: 150,
  earliestPublicationSeconds: 90,
  publicationPollSeconds: 30,
};
const WINDOW = { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T10:02:00.000Z' };
const identity = {
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:run',
  executionName: 'run',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
  startedAt: '2026-01-01T09:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};

function synced() {
  const now = new Date('2026-01-01T09:57:00.000Z');
  const state = newRunState(inputWith(), identity, [pairWith({ blue: 100, green: 0 })]);
  return afterSyncCheck(afterShift(state, 10, [], [], now), true, now);
}

const green = (...starts: string[]) => ({
  kind: 'ok' as const,
  services: [sample('orders', { http2xx: 100, periodStarts: starts })],
});

describe('Function: windowLagSeconds', () => {
  it.each([
    { metrics: METRICS, lag: 90 },
    { metrics: { ...METRICS, publicationPollSeconds: 0 }, lag: 150 },
    { metrics: { ...METRICS, earliestPublicationSeconds: 200 }, lag: 150 },
  ])('$metrics -> $lag', ({ metrics, lag }) => {
    expect(windowLagSeconds(metrics)).toBe(lag);
  });
});

describe('Function: nextLookSeconds', () => {
  it.each([
    // newest minute looked for at 10:03:30 ends 10:02; the next ends 10:03, first look 10:04:30
    { now: '2026-01-01T10:03:30.000Z', interval: 60, wait: 60 },
    { now: '2026-01-01T10:04:00.000Z', interval: 60, wait: 30 },
    { now: '2026-01-01T10:04:29.000Z', interval: 60, wait: 1 },
    // every other minute with a 120 s interval
    { now: '2026-01-01T10:03:30.000Z', interval: 120, wait: 120 },
  ])('$now, every $interval s -> $wait s', ({ now, interval, wait }) => {
    expect(nextLookSeconds(new Date(now), METRICS, interval)).toBe(wait);
  });

  it('always lands on a first look (period boundary + lag), within one period and the interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400_000 }), (offset) => {
        const now = new Date(Date.UTC(2026, 0, 1) + offset);
        const wait = nextLookSeconds(now, METRICS, 60);
        const at = now.getTime() + wait * 1_000;
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(60);
        expect(((at - 90_000) % 60_000) / 1_000).toBeLessThan(1);
      })
    );
  });
});

describe('Function: newestPeriodPublished', () => {
  it.each([
    { name: 'the newest minute is there', reading: green('2026-01-01T10:01:00.000Z'), out: true },
    { name: 'only an older one', reading: green('2026-01-01T10:00:00.000Z'), out: false },
    { name: 'nothing', reading: green(), out: false },
    {
      name: 'a source error (judged as an Error)',
      reading: { kind: 'unavailable' as const, reason: 'x' },
      out: true,
    },
  ])('$name -> $out', ({ reading, out }) => {
    expect(newestPeriodPublished(reading, WINDOW, 60)).toBe(out);
  });
});

describe('Function: awaitPublication', () => {
  it('looks again in publicationPollSeconds while the newest minute is missing, judging nothing', () => {
    // Prepare
    const state = synced();

    // Act: 10:03:30 is the first look for the minute 10:01-10:02
    const polled = awaitPublication(state, WINDOW, green(), new Date('2026-01-01T10:03:30.000Z'));

    // Assess
    expect(polled?.waitSeconds).toBe(30);
    expect(polled?.decision).toEqual({
      action: Action.Observe,
      reason:
        'waiting for CloudWatch to publish the minute from 2026-01-01T10:01:00.000Z (looking every 30 s until 2026-01-01T10:04:30.000Z)',
    });
    expect(polled?.status).toBe(state.status);
    expect(polled?.evaluation).toBeNull();
    expect(polled?.history.eventsEstimate).toBe(
      state.history.eventsEstimate + EVENTS_PER_EVALUATION
    );
  });

  it('holds rather than observes after a verdict other than Pass', () => {
    // Prepare
    const state = synced();
    const failing = { ...state, status: { ...state.status, lastVerdict: Verdict.Inconclusive } };

    // Act
    const polled = awaitPublication(failing, WINDOW, green(), new Date('2026-01-01T10:03:30.000Z'));

    // Assess
    expect(polled?.decision?.action).toBe(Action.Hold);
  });

  it.each([
    {
      name: 'published',
      reading: green('2026-01-01T10:01:00.000Z'),
      now: '2026-01-01T10:03:30.000Z',
    },
    // 10:04:01 + 30 s is past the bound 10:04:30: judge what there is
    { name: 'no look left before the bound', reading: green(), now: '2026-01-01T10:04:01.000Z' },
  ])('goes ahead when $name', ({ reading, now }) => {
    expect(awaitPublication(synced(), WINDOW, reading, new Date(now))).toBeNull();
  });

  it('never polls with publicationPollSeconds 0', () => {
    // Prepare
    const state = synced();
    const fixed = {
      ...state,
      input: { ...state.input, metrics: { ...state.input.metrics, publicationPollSeconds: 0 } },
    };

    // Act + Assess
    expect(
      awaitPublication(fixed, WINDOW, green(), new Date('2026-01-01T10:03:30.000Z'))
    ).toBeNull();
  });

  it('is bounded: at most (delay - earliest) / poll + 1 looks per minute', () => {
    // Act: look from the first look on until it goes ahead
    let at = Date.parse('2026-01-01T10:03:30.000Z');
    let looks = 1;
    while (looks < 20 && awaitPublication(synced(), WINDOW, green(), new Date(at)) !== null) {
      at += 30_000;
      looks += 1;
    }

    // Assess: 10:03:30, 10:04:00, 10:04:30
    expect(looks).toBe(3);
  });
});
