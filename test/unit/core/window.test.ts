import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluationWindow } from '../../../functions/core/window.ts';

const metrics = { periodSeconds: 60, publicationDelaySeconds: 180, windowSeconds: 300 };

describe('Function: evaluationWindow', () => {
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
    const window = evaluationWindow(new Date(now), judgingFrom, metrics);

    // Assess
    expect(window).toEqual(expected);
  });

  it('aligns to longer periods', () => {
    // Act
    const window = evaluationWindow(new Date('2025-01-01T01:00:00Z'), '2025-01-01T00:00:01Z', {
      periodSeconds: 300,
      publicationDelaySeconds: 0,
      windowSeconds: 600,
    });

    // Assess
    expect(window).toEqual({ start: '2025-01-01T00:50:00.000Z', end: '2025-01-01T01:00:00.000Z' });
  });

  it.each([
    { now: new Date('not a time'), judgingFrom: '2025-01-01T00:00:00Z' },
    { now: new Date('2025-01-01T00:00:00Z'), judgingFrom: 'yesterday-ish' },
  ])('refuses an invalid time (judgingFrom $judgingFrom)', ({ now, judgingFrom }) => {
    // Act + Assess
    expect(() => evaluationWindow(now, judgingFrom, metrics)).toThrow(RangeError);
  });

  it('is aligned, at least a period long, within the window size, after judgingFrom and published', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
        fc.integer({ min: 0, max: 7_200 }),
        fc.constantFrom(60, 120, 300),
        fc.integer({ min: 0, max: 900 }),
        fc.integer({ min: 1, max: 10 }),
        (judgingFromSeconds, elapsedSeconds, periodSeconds, publicationDelaySeconds, periods) => {
          // Prepare
          const settings = {
            periodSeconds,
            publicationDelaySeconds,
            windowSeconds: periods * periodSeconds,
          };
          const judgingFrom = new Date(judgingFromSeconds * 1_000);
          const now = new Date((judgingFromSeconds + elapsedSeconds) * 1_000);

          // Act
          const window = evaluationWindow(now, judgingFrom.toISOString(), settings);

          // Assess
          if (window === null) return;
          const start = Date.parse(window.start);
          const end = Date.parse(window.end);
          expect(start % (periodSeconds * 1_000)).toBe(0);
          expect(end % (periodSeconds * 1_000)).toBe(0);
          expect(end - start).toBeGreaterThanOrEqual(periodSeconds * 1_000);
          expect(end - start).toBeLessThanOrEqual(settings.windowSeconds * 1_000);
          expect(start).toBeGreaterThanOrEqual(judgingFrom.getTime());
          expect(end).toBeLessThanOrEqual(now.getTime() - publicationDelaySeconds * 1_000);
        }
      )
    );
  });
});
