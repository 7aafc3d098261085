import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normalQuantile,
  wilsonInterval,
  wilsonLowerBound,
  wilsonUpperBound,
} from '../../../functions/core/stats.ts';

describe('Function: normalQuantile', () => {
  it.each([
    { probability: 0.5, expected: 0 },
    { probability: 0.95, expected: 1.6448536269514722 },
    { probability: 0.975, expected: 1.959963984540054 },
    { probability: 0.9999, expected: 3.719016485455709 },
    { probability: 0.01, expected: -2.3263478740408408 },
    { probability: 0.2, expected: -0.8416212335729143 },
    { probability: 1e-6, expected: -4.753424308822899 },
  ])('matches the normal quantile at $probability ($expected)', ({ probability, expected }) => {
    // Act
    const z = normalQuantile(probability);

    // Assess: Acklam's relative error is below 1.15e-9
    expect(Math.abs(z - expected)).toBeLessThanOrEqual(1.2e-9 * Math.max(1, Math.abs(expected)));
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])('refuses probability %s outside (0, 1)', (probability) => {
    // Act + Assess
    expect(() => normalQuantile(probability)).toThrow(RangeError);
  });

  it('is increasing and antisymmetric around 0.5', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-9, max: 0.5, noNaN: true }),
        fc.double({ min: 1e-9, max: 0.5, noNaN: true }),
        (p, q) => {
          // Act
          const [low, high] = p < q ? [p, q] : [q, p];

          // Assess
          expect(normalQuantile(low)).toBeLessThanOrEqual(normalQuantile(high));
          expect(normalQuantile(p) + normalQuantile(1 - p)).toBeCloseTo(0, 6);
        }
      )
    );
  });
});

describe('Function: wilsonInterval', () => {
  it.each([
    // Reference values: the textbook Wilson formula with Python statistics.NormalDist().inv_cdf(0.95).
    { successes: 44, trials: 1_812, lower: 0.019006, upper: 0.030977 },
    { successes: 0, trials: 400, lower: 0, upper: 0.006718 },
    { successes: 400, trials: 400, lower: 0.993282, upper: 1 },
    { successes: 5, trials: 10, lower: 0.269272, upper: 0.730728 },
  ])(
    'bounds $successes of $trials at 95% by [$lower, $upper]',
    ({ successes, trials, lower, upper }) => {
      // Act
      const interval = wilsonInterval(successes, trials, 0.95);

      // Assess
      expect(interval.lower).toBeCloseTo(lower, 5);
      expect(interval.upper).toBeCloseTo(upper, 5);
    }
  );

  it('has no information without trials', () => {
    // Act + Assess
    expect(wilsonInterval(0, 0, 0.95)).toEqual({ lower: 0, upper: 1 });
  });

  it('collapses to the observed share at confidence 0.5', () => {
    // Act
    const interval = wilsonInterval(3, 10, 0.5);

    // Assess
    expect(interval.lower).toBeCloseTo(0.3, 12);
    expect(interval.upper).toBeCloseTo(0.3, 12);
  });

  it.each([
    { successes: -1, trials: 10, confidence: 0.95 },
    { successes: 11, trials: 10, confidence: 0.95 },
    { successes: 0, trials: -1, confidence: 0.95 },
    { successes: 1, trials: 10, confidence: 0.4 },
    { successes: 1, trials: 10, confidence: 1 },
    { successes: Number.NaN, trials: 10, confidence: 0.95 },
  ])('refuses $successes of $trials at $confidence', ({ successes, trials, confidence }) => {
    // Act + Assess
    expect(() => wilsonInterval(successes, trials, confidence)).toThrow(RangeError);
  });

  it('contains the observed share, stays in 0..1 and narrows with confidence', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 1_000_000 })
          .chain((trials) => fc.tuple(fc.integer({ min: 0, max: trials }), fc.constant(trials))),
        fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
        ([successes, trials], confidence) => {
          // Act
          const { lower, upper } = wilsonInterval(successes, trials, confidence);
          const share = successes / trials;

          // Assess
          expect(lower).toBeGreaterThanOrEqual(0);
          expect(upper).toBeLessThanOrEqual(1);
          expect(lower).toBeLessThanOrEqual(share + 1e-12);
          expect(upper).toBeGreaterThanOrEqual(share - 1e-12);
          expect(wilsonLowerBound(successes, trials, 0.5)).toBeGreaterThanOrEqual(lower - 1e-12);
        }
      )
    );
  });

  it('exposes each end on its own', () => {
    // Act + Assess
    expect(wilsonLowerBound(44, 1_812, 0.95)).toBe(wilsonInterval(44, 1_812, 0.95).lower);
    expect(wilsonUpperBound(44, 1_812, 0.95)).toBe(wilsonInterval(44, 1_812, 0.95).upper);
  });
});
