/**
 * What decide's tables leave open (found by `npm run mutation`): the refusal of an invalid time names both times.
 */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../functions/core/decide.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { evaluationWith, inputWith, statusAt } from './fixtures.ts';

describe('Function: decide, invalid times', () => {
  it('names now and judgingFrom when either is not a time', () => {
    // Act
    const judge = () =>
      decide({
        status: statusAt(10, 'soon'),
        evaluation: evaluationWith(Verdict.Pass),
        steps: [10, 100],
        input: inputWith(),
        now: new Date('2025-01-01T00:00:00.000Z'),
      });

    // Assess
    expect(judge).toThrow(
      new RangeError(
        `decide: invalid time (now ${String(new Date('2025-01-01T00:00:00.000Z'))}, judgingFrom soon)`
      )
    );
  });
});
