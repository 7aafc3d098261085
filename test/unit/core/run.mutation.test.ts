/**
 * What the run-state tests leave open (found by `npm run mutation`): a new run has submitted no change yet, a
 * continuation name replaces only a trailing `-cN`, whatever its number of digits, a shift never goes back to
 * the step the run is at or an earlier one, and a quiet look without publication polling waits its cadence's
 * minutes unless an operator request is pending.
 */
import { describe, expect, it } from 'vitest';
import {
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  effectiveTtlSeconds,
  newRunState,
  shiftTarget,
} from '../../../functions/core/run.ts';
import { continuationName } from '../../../functions/core/run-end.ts';
import { initialSequentialState } from '../../../functions/core/sequential.ts';
import type { RunIdentity, RunState } from '../../../functions/core/state.ts';
import { Action, Verdict } from '../../../functions/core/types.ts';
import { evaluationWith, inputWith, pairWith } from './fixtures.ts';

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

describe('Function: shiftTarget, never back', () => {
  const start = newRunState(inputWith({ plan: { steps: [10, 50, 100] } }), identity, [
    pairWith({ blue: 100, green: 0 }),
  ]);

  it.each([
    { at: 10, asked: 10, expected: 50 },
    { at: 50, asked: 10, expected: 100 },
    { at: 50, asked: 50, expected: 100 },
    { at: 50, asked: 100, expected: 100 },
  ])(
    'at $at %, an advance that names step $asked shifts to $expected %',
    ({ at, asked, expected }) => {
      // Prepare: a decision naming the step the run is at, or an earlier one, must not re-write or undo it.
      const state: RunState = {
        ...start,
        status: { ...start.status, greenPercent: at, stepIndex: start.steps.indexOf(at) },
        decision: { action: Action.Advance, nextGreenPercent: asked, reason: 'advance' },
      };

      // Act + Assess
      expect(shiftTarget(state)).toBe(expected);
    }
  );
});

describe('Function: afterEvaluation, the wait without publication polling', () => {
  const NOW = new Date('2026-01-01T00:10:07.000Z');
  const WINDOW = { start: '2026-01-01T00:12:00.000Z', end: '2026-01-01T00:13:00.000Z' };
  const LOOK = new Date('2026-01-01T00:14:30.000Z');

  /** Baking at 10 %, healthy: the error-rate test has read up to the window's end and has no evidence. */
  function quietStep(): RunState {
    const fixed = newRunState(
      inputWith({ metrics: { greenDiscoveryNames: ['orders'], publicationPollSeconds: 0 } }),
      identity,
      [pairWith({ blue: 100, green: 0 })]
    );
    const synced = afterSyncCheck(afterShift(fixed, 10, [], [], NOW), true, NOW);
    return {
      ...synced,
      status: {
        ...synced.status,
        sequential: { errorRate: { ...initialSequentialState(), consumedUntil: WINDOW.end } },
      },
    };
  }

  it.each([
    // minEvidenceMinutes (3) one-minute intervals: nothing could act on the minutes in between.
    { name: 'nothing pending (the default)', operatorPending: undefined, minutes: 3, wait: 180 },
    { name: 'nothing pending', operatorPending: false, minutes: 3, wait: 180 },
    { name: 'an operator request pending', operatorPending: true, minutes: 1, wait: 60 },
  ])('a quiet Pass with $name waits $wait s', ({ operatorPending, minutes, wait }) => {
    // Act
    const state = afterEvaluation(
      quietStep(),
      { ...evaluationWith(Verdict.Pass), window: WINDOW },
      LOOK,
      operatorPending
    );

    // Assess
    expect(state.cadence?.minutes).toBe(minutes);
    expect(state.waitSeconds).toBe(wait);
  });

  it('a quiet look whose read of green failed looks again in one interval, and says why', () => {
    // Act
    const state = afterEvaluation(
      quietStep(),
      { ...evaluationWith(Verdict.Pass), window: WINDOW },
      LOOK,
      false,
      WINDOW.start
    );

    // Assess: the state an operator reads in the execution history explains the one-minute look.
    expect(state.cadence).toEqual({
      minutes: 1,
      through: WINDOW.start,
      reason: expect.stringContaining("green's read failed"),
      refold: true,
    });
    expect(state.waitSeconds).toBe(60);
  });
});
