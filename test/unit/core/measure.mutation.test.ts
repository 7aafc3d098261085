/**
 * How the measures of several discovery names add up (measure.ts), where evaluate's tables leave it open (found by
 * `npm run mutation`): the sample count printed as the weight of an overall latency is the sum over the names.
 */
import { describe, expect, it } from 'vitest';
import { combineMeasures, type Measure } from '../../../functions/core/measure.ts';

const measure = (overrides: Partial<Measure>): Measure => ({
  requests: 1_000,
  statusRequests: 1_000,
  errors: 0,
  latencySamples: 60,
  latencyAvgMs: 20,
  latencyMaxMs: 400,
  latencyP99Ms: null,
  ...overrides,
});

describe('Function: combineMeasures', () => {
  it('adds up counts and samples, weights the average by samples, keeps the largest maximum and p99', () => {
    // Act
    const combined = combineMeasures([
      measure({ latencySamples: 60, latencyAvgMs: 20, latencyMaxMs: 400, latencyP99Ms: 90 }),
      measure({ errors: 5, latencySamples: 20, latencyAvgMs: 100, latencyMaxMs: 300 }),
    ]);

    // Assess: (60 x 20 + 20 x 100) / 80 = 40 ms.
    expect(combined).toEqual({
      requests: 2_000,
      statusRequests: 2_000,
      errors: 5,
      latencySamples: 80,
      latencyAvgMs: 40,
      latencyMaxMs: 400,
      latencyP99Ms: 90,
    });
  });

  it('no measures at all is no data, not zero traffic', () => {
    expect(combineMeasures([])).toEqual({
      requests: null,
      statusRequests: null,
      errors: 0,
      latencySamples: 0,
      latencyAvgMs: null,
      latencyMaxMs: null,
      latencyP99Ms: null,
    });
  });
});
