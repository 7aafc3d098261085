/**
 * What the weights tables leave open (found by `npm run mutation`): the refusal of a percent outside 0..100 and
 * the line for a snapshot pair that Route 53 no longer lists both name themselves.
 */
import { describe, expect, it } from 'vitest';
import { percentOf, snapshotDifferences, weightsFor } from '../../../functions/core/weights.ts';
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

describe('Function: percentOf, an all-zero group', () => {
  it.each([
    { name: 'blue and green only: half each', others: [], percent: 50 },
    {
      name: 'a zero-weight member shares evenly too',
      others: [{ SetIdentifier: 'parked', Weight: 0 }],
      percent: 100 / 3,
    },
    {
      name: 'a non-weighted record is no member of the weighted group',
      others: [{ SetIdentifier: 'simple', Weight: null }],
      percent: 50,
    },
  ])('$name: $percent %', ({ others, percent }) => {
    // Route 53 answers evenly among the records of a group whose weights are all 0.
    expect(percentOf({ ...pairWith({ blue: 0, green: 0 }), others })).toBeCloseTo(percent, 9);
  });
});
