/**
 * What the run-state tests leave open (found by `npm run mutation`): a new run has submitted no change yet, and a
 * continuation name replaces only a trailing `-cN`, whatever its number of digits.
 */
import { describe, expect, it } from 'vitest';
import { effectiveTtlSeconds, newRunState } from '../../../functions/core/run.ts';
import { continuationName } from '../../../functions/core/run-end.ts';
import type { RunIdentity } from '../../../functions/core/state.ts';
import { inputWith, pairWith } from './fixtures.ts';

const identity: RunIdentity = {
  executionArn: 'arn:aws:states:us-east-1:1:execution:ts:orders',
  executionName: 'orders',
  stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ts',
  startedAt: '2026-01-01T00:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};

describe('Function: newRunState, the change', () => {
  it('starts with no change submitted and nothing in sync', () => {
    // Act
    const state = newRunState(inputWith(), identity, [pairWith({ blue: 100, green: 0 })]);

    // Assess
    expect(state.change).toEqual({ ids: [], submittedAt: null, synced: false });
  });
});

describe('Function: continuationName, the suffix', () => {
  it.each([
    { executionName: 'orders-c12', generation: 12, expected: 'orders-c13' },
    { executionName: 'blue-c3-green', generation: 1, expected: 'blue-c3-green-c2' },
    // A first execution has no suffix of its own, even when a person named it like one: `-c1` stays.
    { executionName: 'orders-c1', generation: 1, expected: 'orders-c1-c2' },
  ])(
    '$executionName (generation $generation) -> $expected',
    ({ executionName, generation, expected }) => {
      // Act + Assess
      expect(
        continuationName({
          ...newRunState(inputWith(), identity, []),
          run: { ...identity, executionName, generation },
        })
      ).toBe(expected);
    }
  );
});

describe('Function: effectiveTtlSeconds, a resolved alias TTL', () => {
  it.each(['blue', 'green'] as const)(
    'the resolved TTL of an alias on %s counts, not its missing TTL',
    (side) => {
      // Prepare: an alias lists no TTL; the router resolved its target's 3,600 s.
      const pair = pairWith({ blue: 100, green: 0 });
      const { TTL: _ttl, ...alias } = pair[side];
      const other = side === 'blue' ? 'green' : 'blue';

      // Act + Assess
      expect(
        effectiveTtlSeconds([
          {
            ...pair,
            [side]: alias,
            effectiveTtlSeconds: { [side]: 3_600, [other]: 60 } as { blue: number; green: number },
          },
        ])
      ).toBe(3_600);
    }
  );
});
