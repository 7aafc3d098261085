/**
 * EvaluateMetrics against CloudWatch publishing each minute 120 s after it ends (aws-facts.md §1.1, the
 * cost bench's what-if): the run learns the lag (core/publication.ts), so after one missed look its looks
 * come when the minute is there, and it advances at the same instant as with today's schedule.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunState } from '../../../functions/core/state.ts';
import { evaluateMetrics } from '../../../functions/handlers/evaluate-metrics.ts';
import { FakeClock, FakeMetrics } from '../../support/fake-ports.ts';
import { readingWith } from '../../support/minute-readings.ts';
import { syncedFirstStep } from '../../support/synced-step.ts';
import { inputWith } from '../core/fixtures.ts';

let lagSeconds = 120;
let metrics: FakeMetrics;
let clock: FakeClock;

beforeEach(() => {
  metrics = new FakeMetrics();
  lagSeconds = 120;
  const healthy = readingWith(() => 1);
  // Only the minutes that ended lagSeconds ago or earlier are there.
  metrics.reading = (query) => {
    const publishedEnd = Math.floor((clock.now().getTime() - lagSeconds * 1_000) / 60_000) * 60_000;
    const end = Math.max(
      Date.parse(query.window.start),
      Math.min(Date.parse(query.window.end), publishedEnd)
    );
    return healthy({ ...query, window: { ...query.window, end: new Date(end).toISOString() } });
  };
});

/** Step 25 % synced, the clock at its first look. */
function firstLook(): RunState {
  const input = inputWith({
    plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
    metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  });
  return syncedFirstStep(clock, input).state;
}

/** Looks until the step advances: when, after how many looks, how many of them judged nothing. */
async function untilAdvance(forgetLag: boolean) {
  clock = new FakeClock('2026-03-02T10:00:10.000Z');
  let state = firstLook();
  let looks = 0;
  let missed = 0;
  while (looks < 100) {
    if (forgetLag) {
      const { publicationLag: _lag, ...rest } = state;
      state = rest;
    }
    state = await evaluateMetrics(state, { metrics, clock });
    looks += 1;
    if (state.evaluation === null) missed += 1;
    if (state.decision?.action === 'advance') break;
    clock.advance(state.waitSeconds);
  }
  return { at: clock.now().toISOString(), looks, missed, evaluations: state.status.evaluations };
}

describe('Handler: evaluateMetrics with minutes published 120 s late', () => {
  it('advances at the same instant as today, with no more looks (a judged look moves the lag back at once)', async () => {
    // Act
    const learned = await untilAdvance(false);
    const today = await untilAdvance(true);

    // Assess: today every look misses once; so does the run (PROBE_AFTER_HITS 1: detection first)
    expect(learned.at).toBe(today.at);
    expect(learned.evaluations).toBe(today.evaluations);
    expect(today.missed).toBe(today.looks - today.missed);
    expect(learned.missed).toBeGreaterThanOrEqual(1);
    expect(learned.looks).toBeLessThanOrEqual(today.looks);
  });

  it("judges minutes published past the next minute's first look at the bound (150 s), where today never judges", async () => {
    // Prepare: 140 s late: at 150 s the window computed with today's 90-s lag already ends a minute later
    lagSeconds = 140;

    // Act
    const learned = await untilAdvance(false);
    const today = await untilAdvance(true);

    // Assess
    expect(learned.missed).toBeLessThanOrEqual(learned.evaluations + 1);
    expect(learned.evaluations).toBe(10);
    expect(today.evaluations).toBe(0);
    expect(today.looks).toBe(100);
  });
});
