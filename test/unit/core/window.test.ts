import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluationWindow } from '../../../functions/core/window.ts';

const metrics = { periodSeconds: 60, publicationDelaySeconds: 180, windowSeconds: 300 };

describe('Function: evaluationWindow', () => {
  it.each([
    {
      name: 'polling: ends at the first look',
      polling: { earliestPublicationSeconds: 90, publicationPollSeconds: 30 },
      end: '2025-01-01T00:59:00.000Z',
    },
    {
      name: 'polling without a first look: the delay',
      polling: { publicationPollSeconds: 30 },
      end: '2025-01-01T00:57:00.000Z',
    },
    {
      name: 'a first look past the delay is capped',
      polling: { earliestPublicationSeconds: 600, publicationPollSeconds: 30 },
      end: '2025-01-01T00:57:00.000Z',
    },
    {
      name: 'no polling: the delay',
      polling: { earliestPublicationSeconds: 90, publicationPollSeconds: 0 },
      end: '2025-01-01T00:57:00.000Z',
    },
  ])('$name', ({ polling, end }) => {
    // Act
    const window = evaluationWindow(
      new Date('2025-01-01T01:00:30Z'),
      { judgingFrom: '2025-01-01T00:00:00Z' },
      { ...metrics, ...polling }
    );

    // Assess
    expect(window?.end).toBe(end);
  });

  it.each([
    {
      name: 'a full window ending one publication delay ago',
      now: '2025-01-01T01:00:30Z',
      judgingFrom: '2025-01-01T00:00:00Z',
      expected: { start: '2025-01-01T00:52:00.000Z', end: '2025-01-01T00:57:00.000Z' },
    },
    {
      name: 'a window that never reaches back before judgingFrom (rounded up to the period)',
      now: '2025-01-01T00:10:30Z',
      judgingFrom: '2025-01-01T00:01:10Z',
      expected: { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:07:00.000Z' },
    },
    {
      name: 'exactly one period',
      now: '2025-01-01T00:06:00Z',
      judgingFrom: '2025-01-01T00:02:00Z',
      expected: { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:03:00.000Z' },
    },
    {
      name: 'no window while less than a period is published',
      now: '2025-01-01T00:05:59Z',
      judgingFrom: '2025-01-01T00:02:00Z',
      expected: null,
    },
    {
      name: 'no window before judgingFrom',
      now: '2025-01-01T00:01:00Z',
      judgingFrom: '2025-01-01T00:02:00Z',
      expected: null,
    },
    {
      name: 'no window while the step is not judgeable',
      now: '2025-01-01T00:10:00Z',
      judgingFrom: null,
      expected: null,
    },
  ])('returns $name', ({ now, judgingFrom, expected }) => {
    // Act
    const window = evaluationWindow(new Date(now), { judgingFrom, windowFrom: null }, metrics);

    // Assess
    expect(window).toEqual(expected);
  });

  it('aligns to longer periods', () => {
    // Act
    const window = evaluationWindow(
      new Date('2025-01-01T01:00:00Z'),
      { judgingFrom: '2025-01-01T00:00:01Z', windowFrom: null },
      {
        periodSeconds: 300,
        publicationDelaySeconds: 0,
        windowSeconds: 600,
      }
    );

    // Assess
    expect(window).toEqual({ start: '2025-01-01T00:50:00.000Z', end: '2025-01-01T01:00:00.000Z' });
  });

  describe('with a window cursor (windowFrom)', () => {
    const judgingFrom = '2025-01-01T00:01:10Z';

    it.each([
      {
        name: 'starts where the last judged window ended, so consecutive windows do not overlap',
        now: '2025-01-01T00:10:30Z',
        windowFrom: '2025-01-01T00:06:00.000Z',
        expected: { start: '2025-01-01T00:06:00.000Z', end: '2025-01-01T00:07:00.000Z' },
      },
      {
        name: 'grows while the cursor stays (after an Inconclusive)',
        now: '2025-01-01T00:12:30Z',
        windowFrom: '2025-01-01T00:06:00.000Z',
        expected: { start: '2025-01-01T00:06:00.000Z', end: '2025-01-01T00:09:00.000Z' },
      },
      {
        name: 'grows at most to windowSeconds, then its start moves forward',
        now: '2025-01-01T00:20:30Z',
        windowFrom: '2025-01-01T00:06:00.000Z',
        expected: { start: '2025-01-01T00:12:00.000Z', end: '2025-01-01T00:17:00.000Z' },
      },
      {
        name: 'no window while nothing new is published since the last judged one',
        now: '2025-01-01T00:10:30Z',
        windowFrom: '2025-01-01T00:07:00.000Z',
        expected: null,
      },
      {
        name: 'a window from judgingFrom when the cursor is older (never before the step)',
        now: '2025-01-01T00:10:30Z',
        windowFrom: '2025-01-01T00:00:00.000Z',
        expected: { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:07:00.000Z' },
      },
      {
        name: 'a window from judgingFrom when a state from before the cursor has none',
        now: '2025-01-01T00:10:30Z',
        windowFrom: undefined,
        expected: { start: '2025-01-01T00:02:00.000Z', end: '2025-01-01T00:07:00.000Z' },
      },
    ])('$name', ({ now, windowFrom, expected }) => {
      // Act
      const window = evaluationWindow(new Date(now), { judgingFrom, windowFrom }, metrics);

      // Assess
      expect(window).toEqual(expected);
    });
  });

  it.each([
    { now: new Date('not a time'), judgingFrom: '2025-01-01T00:00:00Z', windowFrom: null },
    { now: new Date('2025-01-01T00:00:00Z'), judgingFrom: 'yesterday-ish', windowFrom: null },
    {
      now: new Date('2025-01-01T00:00:00Z'),
      judgingFrom: '2025-01-01T00:00:00Z',
      windowFrom: 'soon',
    },
  ])(
    'refuses an invalid time (judgingFrom $judgingFrom, windowFrom $windowFrom)',
    ({ now, judgingFrom, windowFrom }) => {
      // Act + Assess
      expect(() => evaluationWindow(now, { judgingFrom, windowFrom }, metrics)).toThrow(RangeError);
    }
  );

  it('is aligned, at least a period long, within the window size, after judgingFrom and the cursor, and published', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
        fc.integer({ min: 0, max: 7_200 }),
        fc.constantFrom(60, 120, 300),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: -3_600, max: 7_200 }), { nil: null }),
        (
          judgingFromSeconds,
          elapsedSeconds,
          periodSeconds,
          publicationDelaySeconds,
          periods,
          cursorOffsetSeconds
        ) => {
          // Prepare
          const settings = {
            periodSeconds,
            publicationDelaySeconds,
            windowSeconds: periods * periodSeconds,
          };
          const judgingFrom = new Date(judgingFromSeconds * 1_000);
          const now = new Date((judgingFromSeconds + elapsedSeconds) * 1_000);
          const windowFrom =
            cursorOffsetSeconds === null
              ? null
              : new Date((judgingFromSeconds + cursorOffsetSeconds) * 1_000);

          // Act
          const window = evaluationWindow(
            now,
            {
              judgingFrom: judgingFrom.toISOString(),
              windowFrom: windowFrom?.toISOString() ?? null,
            },
            settings
          );

          // Assess
          if (window === null) return;
          const start = Date.parse(window.start);
          const end = Date.parse(window.end);
          expect(start % (periodSeconds * 1_000)).toBe(0);
          expect(end % (periodSeconds * 1_000)).toBe(0);
          expect(end - start).toBeGreaterThanOrEqual(periodSeconds * 1_000);
          expect(end - start).toBeLessThanOrEqual(settings.windowSeconds * 1_000);
          expect(start).toBeGreaterThanOrEqual(judgingFrom.getTime());
          // Nothing already judged (before the cursor) is judged again.
          if (windowFrom !== null) expect(start).toBeGreaterThanOrEqual(windowFrom.getTime());
          expect(end).toBeLessThanOrEqual(now.getTime() - publicationDelaySeconds * 1_000);
        }
      )
    );
  });
});
