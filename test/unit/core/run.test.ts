import { describe, expect, it } from 'vitest';
import {
  EVENTS_PER_EVALUATION,
  EVENTS_PER_EXTRA_SYNC_POLL,
  EVENTS_PER_SHIFT,
  initialHistory,
} from '../../../functions/core/history.ts';
import {
  ALIAS_TTL_SECONDS,
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  effectiveTtlSeconds,
  newRunState,
  resumedRunState,
  secondsSinceSubmit,
  shiftTarget,
} from '../../../functions/core/run.ts';
import {
  causeMessage,
  continuationInput,
  continuationName,
  rollbackReason,
  withOutcome,
} from '../../../functions/core/run-end.ts';
import type { RunIdentity, RunState } from '../../../functions/core/state.ts';
import { Verdict } from '../../../functions/core/types.ts';
import { evaluationWith, inputWith, pairWith, record } from './fixtures.ts';

const identity: RunIdentity = {
  executionArn: 'arn:aws:states:us-east-1:1:execution:ts:orders',
  executionName: 'orders',
  stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ts',
  startedAt: '2026-01-01T00:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};
const NOW = new Date('2026-01-01T00:10:07.000Z');

function started(): RunState {
  return newRunState(inputWith(), identity, [pairWith({ blue: 100, green: 0 })]);
}

describe('Function: effectiveTtlSeconds', () => {
  it.each([
    { name: 'plain records: the largest TTL', pairs: [pairWith({ blue: 1, green: 0 })], ttl: 60 },
    {
      name: 'alias records: the load balancer TTL',
      pairs: [
        {
          ...pairWith({ blue: 1, green: 0 }),
          blue: record('blue', 1, { TTL: undefined as never }),
        },
      ],
      ttl: ALIAS_TTL_SECONDS,
    },
    { name: 'no pairs: nothing to wait for', pairs: [], ttl: 0 },
  ])('$name', ({ pairs, ttl }) => {
    // Act + Assess
    expect(effectiveTtlSeconds(pairs.map((pair) => JSON.parse(JSON.stringify(pair))))).toBe(ttl);
  });
});

describe('Function: newRunState', () => {
  it('starts before the first step with the snapshot as the drift reference', () => {
    // Act
    const state = started();

    // Assess
    expect(state.next).toBe('shift');
    expect(state.steps).toEqual([10, 50, 100]);
    expect(state.status.stepIndex).toBe(-1);
    expect(state.expected).toEqual([
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 100, greenWeight: 0 },
    ]);
    expect(state.history).toEqual(initialHistory());
  });

  it('skips the steps a manual shift already covered', () => {
    // Act
    const state = newRunState(inputWith(), identity, [pairWith({ blue: 80, green: 20 })]);

    // Assess
    expect(state.status.greenPercent).toBe(20);
    expect(state.steps).toEqual([50, 100]);
    expect(shiftTarget(state)).toBe(50);
  });

  it('treats a run without records as starting from 0 %', () => {
    // Act + Assess
    expect(newRunState(inputWith(), identity, []).status.greenPercent).toBe(0);
  });
});

describe('Function: afterShift', () => {
  it('moves the cursor to the new step, remembers what it wrote and polls for INSYNC next', () => {
    // Prepare
    const weights = [
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 90, greenWeight: 10 },
    ];

    // Act
    const state = afterShift(started(), 10, weights, ['/change/C1'], NOW);

    // Assess
    expect(state.status).toMatchObject({
      stepIndex: 0,
      greenPercent: 10,
      syncedAt: null,
      judgingFrom: null,
      windowFrom: null,
      stepEvaluations: 0,
    });
    expect(state.expected).toEqual(weights);
    expect(state.change).toEqual({
      ids: ['/change/C1'],
      submittedAt: NOW.toISOString(),
      synced: false,
    });
    // dns.syncPollSeconds: Route 53 is normally INSYNC within 60 s.
    expect(state.waitSeconds).toBe(60);
    expect(state.history.eventsEstimate).toBe(initialHistory().eventsEstimate + EVENTS_PER_SHIFT);
  });
});

describe('Function: afterSyncCheck', () => {
  it('polls again while a change is PENDING', () => {
    // Prepare
    const shifted = afterShift(started(), 10, [], ['/change/C1'], NOW);

    // Act
    const state = afterSyncCheck(shifted, false, NOW);

    // Assess
    expect(state.change.synced).toBe(false);
    expect(state.waitSeconds).toBe(60);
    expect(state.history.eventsEstimate).toBe(
      shifted.history.eventsEstimate + EVENTS_PER_EXTRA_SYNC_POLL
    );
  });

  it('starts judging one TTL after INSYNC and waits exactly until the first window is complete and published', () => {
    // Prepare
    const shifted = afterShift(started(), 10, [], ['/change/C1'], NOW);

    // Act
    const state = afterSyncCheck(shifted, true, NOW);

    // Assess: judging from 00:11:07; first window 00:12:00-00:13:00; first look for it 90 s later at 00:14:30.
    expect(state.change.synced).toBe(true);
    expect(state.status.syncedAt).toBe(NOW.toISOString());
    expect(state.status.judgingFrom).toBe('2026-01-01T00:11:07.000Z');
    expect(state.status.windowFrom).toBe('2026-01-01T00:11:07.000Z');
    expect(state.waitSeconds).toBe(263);
  });

  it('without polling waits the whole publication delay for the first window', () => {
    // Prepare
    const fixed = newRunState(
      inputWith({ metrics: { greenDiscoveryNames: ['orders'], publicationPollSeconds: 0 } }),
      identity,
      [pairWith({ blue: 100, green: 0 })]
    );
    const shifted = afterShift(fixed, 10, [], ['/change/C1'], NOW);

    // Act
    const state = afterSyncCheck(shifted, true, NOW);

    // Assess: first window 00:12:00-00:13:00, published 150 s later at 00:15:30.
    expect(state.waitSeconds).toBe(323);
  });
});

describe('Function: secondsSinceSubmit', () => {
  it.each([
    { name: 'no change submitted yet', submittedAt: null, seconds: 0 },
    { name: 'a change submitted 7 s ago', submittedAt: '2026-01-01T00:10:00.000Z', seconds: 7 },
  ])('$name -> $seconds', ({ submittedAt, seconds }) => {
    // Act + Assess
    expect(
      secondsSinceSubmit({ ...started(), change: { ids: [], submittedAt, synced: false } }, NOW)
    ).toBe(seconds);
  });
});

describe('Function: afterEvaluation', () => {
  it('folds the verdict, keeps the decision and waits until the first look at the next minute', () => {
    // Prepare
    const synced = afterSyncCheck(afterShift(started(), 10, [], [], NOW), true, NOW);

    // Act
    const state = afterEvaluation(
      synced,
      evaluationWith(Verdict.Inconclusive),
      new Date('2026-01-01T00:16:00.000Z')
    );

    // Assess
    expect(state.status.inconclusiveStreak).toBe(1);
    expect(state.decision?.action).toBe('hold');
    expect(state.evaluation?.verdict).toBe('Inconclusive');
    // At 00:16:00 the newest minute to look for ended 00:14:00; the next one ends 00:15:00, first look 00:16:30.
    expect(state.waitSeconds).toBe(30);
    expect(state.history.eventsEstimate).toBe(
      synced.history.eventsEstimate + EVENTS_PER_EVALUATION
    );
  });

  it('without polling waits one evaluation interval', () => {
    // Prepare
    const fixed = newRunState(
      inputWith({ metrics: { greenDiscoveryNames: ['orders'], publicationPollSeconds: 0 } }),
      identity,
      [pairWith({ blue: 100, green: 0 })]
    );
    const synced = afterSyncCheck(afterShift(fixed, 10, [], [], NOW), true, NOW);

    // Act
    const state = afterEvaluation(
      synced,
      evaluationWith(Verdict.Inconclusive),
      new Date('2026-01-01T00:16:00.000Z')
    );

    // Assess
    expect(state.waitSeconds).toBe(60);
  });

  it('starts the next window where a judged one ended, and keeps the start after an Inconclusive', () => {
    // Prepare
    const synced = afterSyncCheck(afterShift(started(), 10, [], [], NOW), true, NOW);
    const window = { start: '2026-01-01T00:12:00.000Z', end: '2026-01-01T00:13:00.000Z' };
    const at = new Date('2026-01-01T00:15:30.000Z');

    // Act
    const passed = afterEvaluation(synced, { ...evaluationWith(Verdict.Pass), window }, at);
    const waiting = afterEvaluation(
      synced,
      { ...evaluationWith(Verdict.Inconclusive), window },
      at
    );

    // Assess
    expect(passed.status.windowFrom).toBe(window.end);
    expect(waiting.status.windowFrom).toBe(synced.status.windowFrom);
  });
});

describe('Continuation', () => {
  it('hands the whole run to a successor that resumes baking with a fresh history', () => {
    // Prepare
    const state = { ...started(), history: { eventsEstimate: 19_850, continueNow: true } };

    // Act
    const { resume } = continuationInput(state);
    const successor = resumedRunState(resume, {
      executionArn: `${identity.executionArn}-c2`,
      executionName: 'orders-c2',
      stateMachineArn: identity.stateMachineArn,
    });

    // Assess
    expect(resume.run).toMatchObject({ generation: 2, continuedFrom: identity.executionArn });
    expect(successor.next).toBe('bake');
    expect(successor.run).toMatchObject({
      executionName: 'orders-c2',
      generation: 2,
      startedAt: identity.startedAt,
    });
    expect(successor.snapshot).toEqual(state.snapshot);
    expect(successor.history).toEqual(initialHistory());
    expect(successor.waitSeconds).toBe(60);
  });

  it.each([
    { name: 'first continuation', executionName: 'orders', generation: 1, expected: 'orders-c2' },
    {
      name: 'later continuation replaces the suffix',
      executionName: 'orders-c2',
      generation: 2,
      expected: 'orders-c3',
    },
    {
      name: "a first execution a person named like a continuation keeps its name (never its own successor's)",
      executionName: 'orders-c2',
      generation: 1,
      expected: 'orders-c2-c2',
    },
    {
      name: 'long names stay within 80 characters',
      executionName: 'x'.repeat(80),
      generation: 1,
      expected: `${'x'.repeat(77)}-c2`,
    },
  ])('names the successor: $name', ({ executionName, generation, expected }) => {
    // Act + Assess
    expect(
      continuationName({ ...started(), run: { ...identity, executionName, generation } })
    ).toBe(expected);
  });
});

describe('Rollback reasons', () => {
  it.each([
    {
      name: 'a JSON Lambda cause',
      cause: '{"errorType":"X","errorMessage":"boom"}',
      message: 'boom',
    },
    { name: 'a JSON cause without a message', cause: '{"a":1}', message: '{"a":1}' },
    { name: 'a plain local cause', cause: 'plain', message: 'plain' },
  ])('reads $name', ({ cause, message }) => {
    // Act + Assess
    expect(causeMessage(cause)).toBe(message);
  });

  it.each([
    {
      name: 'the caught error first',
      state: { decision: null, error: { Error: 'DnsSyncTimeoutError', Cause: 'late' } },
      reason: 'DnsSyncTimeoutError: late',
    },
    {
      name: 'else the rollback decision',
      state: {
        decision: { action: 'rollback' as const, reason: 'failures (3) > maxFailures (2)' },
      },
      reason: 'failures (3) > maxFailures (2)',
    },
    {
      name: 'else an unknown decision fails safe',
      state: { decision: { action: 'observe' as const, reason: 'x' } },
      reason: 'unexpected decision observe: failing safe',
    },
    {
      name: 'with no decision at all',
      state: { decision: null },
      reason: 'unexpected decision (none): failing safe',
    },
  ])('$name', ({ state, reason }) => {
    // Act + Assess
    expect(rollbackReason(state as Pick<RunState, 'decision' | 'error'>)).toBe(reason);
  });

  it('records the outcome with its time', () => {
    // Act + Assess
    expect(withOutcome(started(), 'rolled-back', 'why', NOW).outcome).toEqual({
      result: 'rolled-back',
      reason: 'why',
      at: NOW.toISOString(),
    });
  });
});
