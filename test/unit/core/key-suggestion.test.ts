import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { describeIssues } from '../../../functions/core/input.ts';
import { closestKey, editDistance } from '../../../functions/core/key-suggestion.ts';

describe('Function: editDistance', () => {
  it.each([
    { a: '', b: 'mode', expected: 4 },
    { a: 'mode', b: '', expected: 4 },
    { a: 'mode', b: 'MODE', expected: 0 },
    { a: 'mdoe', b: 'mode', expected: 1 },
    { a: 'bakeSecond', b: 'bakeSeconds', expected: 1 },
    { a: 'plan', b: 'dns', expected: 4 },
  ])('$a -> $b = $expected', ({ a, b, expected }) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe('Function: closestKey', () => {
  it.each([
    { key: 'mdoe', known: ['mode', 'metrics'], expected: 'mode' },
    // Both within the limit: the nearer one wins, whatever the order.
    { key: 'limitz', known: ['limit', 'limits'], expected: 'limit' },
    { key: 'limitz', known: ['limits', 'limit'], expected: 'limits' },
    { key: 'stepz', known: ['steps', 'stepPercent'], expected: 'steps' },
    { key: 'xyz', known: ['mode', 'dns'], expected: undefined },
  ])('$key among $known -> $expected', ({ key, known, expected }) => {
    expect(closestKey(key, known)).toBe(expected);
  });
});

describe('Function: describeIssues, an unknown key where no keys are known', () => {
  it('says to check the spelling instead of guessing', () => {
    // Prepare: a holder the input reference does not describe (as in a continuation's `resume.run`)
    const result = z.strictObject({ run: z.strictObject({}) }).safeParse({ run: { stray: 1 } });

    // Act + Assess
    expect(result.success).toBe(false);
    expect(describeIssues((result as { error: z.ZodError }).error)).toEqual([
      {
        path: 'run.stray',
        rule: 'unknown key (check the spelling against the input reference)',
      },
    ]);
  });
});
