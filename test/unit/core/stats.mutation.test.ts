/**
 * What the stats tables leave open (found by `npm run mutation`): each refusal names its own rule, and a
 * confidence of exactly 1 is refused by wilsonInterval itself rather than deeper down by normalQuantile.
 */
import { describe, expect, it } from 'vitest';
import { normalQuantile, wilsonInterval } from '../../../functions/core/stats.ts';

describe('Functions: normalQuantile and wilsonInterval, refusals', () => {
  it.each([
    {
      call: () => normalQuantile(0),
      message: 'normalQuantile: probability must be strictly between 0 and 1 (got 0)',
    },
    {
      call: () => wilsonInterval(-1, 10, 0.9),
      message: 'wilsonInterval: need 0 <= successes <= trials (got -1 of 10)',
    },
    {
      call: () => wilsonInterval(11, 10, 0.9),
      message: 'wilsonInterval: need 0 <= successes <= trials (got 11 of 10)',
    },
    {
      call: () => wilsonInterval(1, 10, 1),
      message: 'wilsonInterval: confidence must be in [0.5, 1) (got 1)',
    },
    {
      call: () => wilsonInterval(1, 10, 0.49),
      message: 'wilsonInterval: confidence must be in [0.5, 1) (got 0.49)',
    },
  ])('$message', ({ call, message }) => {
    // Act + Assess
    expect(call).toThrow(new RangeError(message));
  });

  it('accepts the lowest confidence, 0.5, as a zero-width margin around the share', () => {
    // Act
    const { lower, upper } = wilsonInterval(3, 10, 0.5);

    // Assess: z = 0 at 0.5
    expect(lower).toBeCloseTo(0.3, 12);
    expect(upper).toBeCloseTo(0.3, 12);
  });
});
