import { describe, expect, it } from 'vitest';
import {
  addEvents,
  EVENTS_AT_START,
  EVENTS_PER_EVALUATION,
  EVENTS_PER_EXTRA_SYNC_POLL,
  EVENTS_PER_SHIFT,
  HISTORY_EVENT_BUDGET,
  HISTORY_EVENT_LIMIT,
  HISTORY_RESERVE,
  historyAfterEvaluation,
  historyAfterShift,
  initialHistory,
} from '../../../functions/core/history.ts';

const TASK = 5;
const WAIT = 2;
const CHOICE = 2;

describe('History budget', () => {
  it('counts the events of each loop from the per-state event counts', () => {
    // Assess
    expect(EVENTS_PER_EVALUATION).toBe(WAIT + TASK + CHOICE);
    // AfterBakeHook + BeforeShiftHook (Choices, counted also when skipped without hooks), ShiftTraffic, WaitForDnsSync,
    // CheckDnsSync, IsDnsSynced.
    expect(EVENTS_PER_SHIFT).toBe(CHOICE + CHOICE + TASK + WAIT + TASK + CHOICE);
    expect(EVENTS_PER_EXTRA_SYNC_POLL).toBe(WAIT + TASK + CHOICE);
    expect(EVENTS_AT_START).toBe(1 + TASK);
    expect({ HISTORY_EVENT_LIMIT, HISTORY_EVENT_BUDGET, HISTORY_RESERVE }).toEqual({
      HISTORY_EVENT_LIMIT: 25_000,
      HISTORY_EVENT_BUDGET: 20_000,
      HISTORY_RESERVE: 200,
    });
  });

  it('starts after Preflight without continuing', () => {
    // Act + Assess
    expect(initialHistory()).toEqual({ eventsEstimate: 6, continueNow: false });
  });

  it.each([
    {
      before: 19_790,
      events: 9,
      reserve: 200,
      expected: { eventsEstimate: 19_799, continueNow: false },
    },
    {
      before: 19_791,
      events: 9,
      reserve: 200,
      expected: { eventsEstimate: 19_800, continueNow: true },
    },
    {
      before: 19_991,
      events: 9,
      reserve: 0,
      expected: { eventsEstimate: 20_000, continueNow: true },
    },
    {
      before: 19_990,
      events: 9,
      reserve: 0,
      expected: { eventsEstimate: 19_999, continueNow: false },
    },
  ])(
    'continues when $before + $events + reserve $reserve reaches 20,000: $expected.continueNow',
    ({ before, events, reserve, expected }) => {
      // Act + Assess
      expect(addEvents({ eventsEstimate: before, continueNow: false }, events, reserve)).toEqual(
        expected
      );
    }
  );

  it('keeps the default reserve of 200', () => {
    // Act + Assess
    expect(addEvents({ eventsEstimate: 19_791, continueNow: false }, 9).continueNow).toBe(true);
    expect(addEvents({ eventsEstimate: 19_790, continueNow: false }, 9).continueNow).toBe(false);
  });

  it('adds 9 per evaluation', () => {
    // Act + Assess
    expect(historyAfterEvaluation({ eventsEstimate: 100, continueNow: false })).toEqual({
      eventsEstimate: 109,
      continueNow: false,
    });
    expect(
      historyAfterEvaluation({ eventsEstimate: 100, continueNow: false }, 19_891).continueNow
    ).toBe(true);
  });

  it.each([
    { polls: undefined, expected: 118 },
    { polls: 0, expected: 118 },
    { polls: 2, expected: 136 },
  ])('adds 18 per shift and 9 per extra poll ($polls extra polls)', ({ polls, expected }) => {
    // Act + Assess
    expect(
      historyAfterShift({ eventsEstimate: 100, continueNow: false }, polls).eventsEstimate
    ).toBe(expected);
  });

  it('applies a custom reserve to shifts', () => {
    // Act + Assess
    expect(
      historyAfterShift({ eventsEstimate: 100, continueNow: false }, 0, 19_882).continueNow
    ).toBe(true);
  });

  it('keeps the reference migration far below the budget', () => {
    // Prepare: 7 steps, 10-minute bakes judged every minute, a 10-minute final bake
    let history = initialHistory();

    // Act
    for (let step = 0; step < 7; step += 1) {
      history = historyAfterShift(history);
      for (let evaluation = 0; evaluation < 10; evaluation += 1)
        history = historyAfterEvaluation(history);
    }

    // Assess
    expect(history.eventsEstimate).toBe(6 + 7 * (18 + 10 * 9));
    expect(history.continueNow).toBe(false);
  });
});
