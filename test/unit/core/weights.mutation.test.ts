/**
 * What the weights tables leave open (found by `npm run mutation`): the refusal of a percent outside 0..100 and
 * the line for a snapshot pair that Route 53 no longer lists both name themselves.
 */
import { describe, expect, it } from 'vitest';
import { snapshotDifferences, weightsFor } from '../../../functions/core/weights.ts';
import { pairWith } from './fixtures.ts';

describe('Functions: weightsFor and snapshotDifferences, what they say', () => {
  it('refuses a percent above 100, naming it', () => {
    // Act + Assess
    expect(() => weightsFor(pairWith({ blue: 100, green: 0 }), 100.5)).toThrow(
      new RangeError('weightsFor: greenPercent must be in 0..100 (got 100.5)')
    );
  });

  it('names a snapshot pair that is no longer listed', () => {
    // Act
    const differences = snapshotDifferences([], [pairWith({ blue: 100, green: 0 })]);

    // Assess
    expect(differences).toEqual(['api.example.com A in Z1: record pair missing']);
  });
});
