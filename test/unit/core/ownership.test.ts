import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EndedRunFacts,
  foreignDrift,
  ownsEntry,
  pendingAfter,
  planEndedRun,
} from '../../../functions/core/ownership.ts';
import { pairWith } from './fixtures.ts';
import { ARN, entryWith, weights } from './ownership-fixtures.ts';

describe('Function: foreignDrift', () => {
  it.each([
    { name: 'at expected', actual: [[90, 10]], pending: null, drift: 0 },
    { name: 'at pending (own write in flight)', actual: [[50, 50]], pending: [[50, 50]], drift: 0 },
    { name: 'at neither', actual: [[70, 30]], pending: [[50, 50]], drift: 1 },
    { name: 'someone else, nothing in flight', actual: [[50, 50]], pending: null, drift: 1 },
  ])('judges a pair $name', ({ actual, pending, drift }) => {
    // Act
    const found = foreignDrift(
      actual.map(([blue, green]) => pairWith({ blue: blue ?? 0, green: green ?? 0 })),
      [weights(90, 10)],
      pending?.map(([blue, green]) => weights(blue ?? 0, green ?? 0)) ?? null
    );

    // Assess
    expect(found).toHaveLength(drift);
  });

  it('accepts a partial multi-zone write (zone 1 at pending, zone 2 at expected), with either zone id form', () => {
    // Act
    const found = foreignDrift(
      [
        pairWith({ blue: 50, green: 50 }, { hostedZoneId: 'Z1' }),
        pairWith({ blue: 90, green: 10 }, { hostedZoneId: 'Z2' }),
      ],
      [weights(90, 10, '/hostedzone/Z1'), weights(90, 10, 'Z2')],
      [weights(50, 50, 'Z1'), weights(50, 50, 'Z2')]
    );

    // Assess
    expect(found).toEqual([]);
  });

  it('property: a pair is ours exactly when it is at expected or at pending', () => {
    const weight = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(weight, weight, weight, weight, weight, weight, (b, g, eb, eg, pb, pg) => {
        const found = foreignDrift(
          [pairWith({ blue: b, green: g })],
          [weights(eb, eg)],
          [weights(pb, pg)]
        );
        const ours = (b === eb && g === eg) || (b === pb && g === pg);
        expect(found.length === 0).toBe(ours);
      })
    );
  });
});

describe('Function: pendingAfter', () => {
  it('keeps the earlier unconfirmed targets next to the new ones, without duplicates', () => {
    expect(pendingAfter([weights(50, 50)], [weights(100, 0)])).toEqual([
      weights(100, 0),
      weights(50, 50),
    ]);
    expect(pendingAfter([weights(50, 50)], [weights(50, 50)])).toEqual([weights(50, 50)]);
    expect(pendingAfter(null, [weights(50, 50)])).toEqual([weights(50, 50)]);
  });

  it("a rollback after a partial shift: zone 1 at the rollback target, zone 2 still at the shift target, is the run's own", () => {
    // Prepare
    const pending = pendingAfter(
      [weights(50, 50, 'Z1'), weights(50, 50, 'Z2')],
      [weights(100, 0, 'Z1'), weights(100, 0, 'Z2')]
    );

    // Act
    const found = foreignDrift(
      [
        pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'Z1' }),
        pairWith({ blue: 50, green: 50 }, { hostedZoneId: 'Z2' }),
      ],
      [weights(90, 10, 'Z1'), weights(90, 10, 'Z2')],
      pending
    );

    // Assess
    expect(found).toEqual([]);
  });
});

describe('Function: ownsEntry', () => {
  it.each([
    { name: 'an unfinished entry naming it', entry: entryWith(), owns: true },
    { name: 'a handed-over entry', entry: entryWith({ executionArn: `${ARN}-c2` }), owns: false },
    { name: 'a completed entry', entry: entryWith({ phase: 'completed' }), owns: false },
    { name: 'no entry', entry: null, owns: false },
  ])('$name -> $owns', ({ entry, owns }) => {
    expect(ownsEntry(entry, ARN)).toBe(owns);
  });
});

describe('Function: planEndedRun', () => {
  const facts = (overrides: Partial<EndedRunFacts>): EndedRunFacts => ({
    entry: entryWith(),
    executionArn: ARN,
    status: 'ABORTED',
    error: null,
    secondsSinceUpdate: 60,
    graceSeconds: 900,
    inFlightSeconds: 300,
    ...overrides,
  });

  it.each([
    { name: 'an aborted owner is restored', given: {}, action: 'restore' },
    { name: 'a timed-out owner is restored', given: { status: 'TIMED_OUT' }, action: 'restore' },
    {
      name: 'a failed continuation (PreflightFailed) that owns the entry is restored',
      given: { status: 'FAILED', error: 'PreflightFailed' },
      action: 'restore',
    },
    {
      name: 'KeepWeights keeps the weights',
      given: { error: 'KeepWeights' },
      action: 'keep-weights',
    },
    {
      name: 'a completed migration is never touched',
      given: { entry: entryWith({ phase: 'completed' }) },
      action: 'skip',
    },
    {
      name: 'an entry a newer execution owns is never touched',
      given: { entry: entryWith({ executionArn: `${ARN}-c2` }) },
      action: 'skip',
    },
    { name: 'a running owner is left alone', given: { status: 'RUNNING' }, action: 'skip' },
    {
      name: 'a missing owner within the grace period is left alone',
      given: { status: 'NOT_FOUND', secondsSinceUpdate: 60 },
      action: 'skip',
    },
    {
      name: 'a missing owner after the grace period is restored',
      given: { status: 'NOT_FOUND', secondsSinceUpdate: 901 },
      action: 'restore',
    },
    {
      name: 'a write announced shortly before the end may still land: restore now, finish later',
      given: { entry: entryWith({ pending: [weights(50, 50)] }), secondsSinceUpdate: 30 },
      action: 'restore-and-wait',
    },
    {
      name: 'a write announced long ago can no longer land: restore and finish',
      given: { entry: entryWith({ pending: [weights(50, 50)] }), secondsSinceUpdate: 301 },
      action: 'restore',
    },
    {
      name: 'a run that ended in preflight is released',
      given: { entry: entryWith({ phase: 'preflight', snapshot: [] }) },
      action: 'release',
    },
    {
      name: 'an observe-mode run is released',
      given: { entry: entryWith({ mode: 'observe' }) },
      action: 'release',
    },
  ])('$name', ({ given, action }) => {
    expect(planEndedRun(facts(given as Partial<EndedRunFacts>)).action).toBe(action);
  });
});
