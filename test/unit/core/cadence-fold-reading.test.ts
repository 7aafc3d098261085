/**
 * foldReading (core/cadence-fold.ts), the quiet look's fold of one read: readings that cannot be cut, a failed
 * read of green (one Error, its minutes read again) and of blue alone (green still judged minute by minute).
 */
import { describe, expect, it } from 'vitest';
import { foldReading } from '../../../functions/core/cadence-fold.ts';
import type { RunState } from '../../../functions/core/state.ts';
import {
  type MetricReading,
  type PeriodSample,
  type ShiftStatus,
  Verdict,
} from '../../../functions/core/types.ts';
import { inputWith, sample, statusAt } from './fixtures.ts';

const INPUT = inputWith({
  plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
  metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
  thresholds: { latencyAvgMaxMs: 200, minEvidenceMinutes: 2 },
});
const WINDOW = { start: '2026-03-02T10:05:00.000Z', end: '2026-03-02T10:07:00.000Z' };
const ENDS = ['2026-03-02T10:06:00.000Z', '2026-03-02T10:07:00.000Z'];
const NOW = new Date('2026-03-02T10:08:30.000Z');

function state(changes: Partial<RunState> = {}, status: Partial<ShiftStatus> = {}): RunState {
  return {
    input: INPUT,
    steps: [25, 100],
    status: {
      ...statusAt(25, '2026-03-02T10:00:00.000Z'),
      windowFrom: WINDOW.start,
      bakedSeconds: 120,
      ...status,
    },
    ...changes,
  } as unknown as RunState;
}

/** One discovery name with a per-period record of each minute of WINDOW (1,000 requests, the given latency). */
function minutes(name: string, latencyAvgMs: number): MetricReading {
  const byPeriod: PeriodSample[] = ['2026-03-02T10:05:00.000Z', '2026-03-02T10:06:00.000Z'].map(
    (start) => ({
      start,
      http2xx: 1_000,
      http3xx: null,
      http4xx: null,
      http5xx: 0,
      requestCount: 1_000,
      latencySampleCount: 100,
      latencyAvgMs,
      latencyMaxMs: latencyAvgMs,
    })
  );
  return {
    kind: 'ok',
    services: [
      sample(name, {
        http2xx: 2_000,
        http5xx: 0,
        requestCount: 2_000,
        latencySampleCount: 200,
        latencyAvgMs,
        latencyMaxMs: latencyAvgMs,
        periodStarts: byPeriod.map((part) => part.start),
        periods: byPeriod.map((part) => ({ start: part.start, requests: 1_000, errors: 0 })),
        byPeriod,
      }),
    ],
  };
}

const UNAVAILABLE: MetricReading = { kind: 'unavailable', reason: 'GetMetricData failed' };

describe('Function: foldReading', () => {
  it('cannot fold a reading without per-period values (green or blue): null, the caller reads again', () => {
    const whole: MetricReading = { kind: 'ok', services: [sample('orders', { http2xx: 5 })] };
    expect(foldReading(state(), WINDOW, ENDS, { green: whole, blue: null }, NOW)).toBeNull();
    const green = minutes('orders', 50);
    expect(foldReading(state(), WINDOW, ENDS, { green, blue: whole }, NOW)).toBeNull();
  });

  it("green's read failed: one Error, and its minutes are read again from the window's start", () => {
    const folded = foldReading(state(), WINDOW, ENDS, { green: UNAVAILABLE, blue: null }, NOW);
    expect(folded?.evaluation.verdict).toBe(Verdict.Error);
    expect(folded?.state).toEqual(state());
    expect(folded?.refoldThrough).toBe(WINDOW.start);
  });

  it("green's read failed after a quiet wait: its minutes are read again from the cadence's through", () => {
    const cadence = { minutes: 2, through: '2026-03-02T10:05:00.000Z', reason: 'quiet' };
    const before = state({ cadence } as Partial<RunState>, { blueLatency: null });
    const folded = foldReading(before, WINDOW, ENDS, { green: UNAVAILABLE, blue: null }, NOW);
    expect(folded?.refoldThrough).toBe(cadence.through);
  });

  it("blue's read failed: green is judged minute by minute, blue's Error only at the last minute", () => {
    const healthy = foldReading(
      state(),
      WINDOW,
      ENDS,
      { green: minutes('orders', 50), blue: UNAVAILABLE },
      NOW
    );
    expect(healthy?.state.status.failures).toBe(0);
    expect(healthy?.evaluation.verdict).toBe(Verdict.Error);
    expect(healthy?.refoldThrough).toBeUndefined();
    // A slow green fails the first minute on green alone (folded into the status) and the last one too.
    const slow = foldReading(
      state(),
      WINDOW,
      ENDS,
      { green: minutes('orders', 400), blue: UNAVAILABLE },
      NOW
    );
    expect(slow?.state.status.failures).toBe(1);
    expect(slow?.evaluation.verdict).toBe(Verdict.Fail);
  });

  it('both readings cut: each minute judged with its own slice of green and blue', () => {
    const folded = foldReading(
      state(),
      WINDOW,
      ENDS,
      { green: minutes('orders', 400), blue: minutes('orders-blue', 50) },
      NOW
    );
    expect(folded?.state.status.failures).toBe(1);
    expect(folded?.evaluation.verdict).toBe(Verdict.Fail);
  });

  it('a minute already judged (no new window) is folded as not judged yet, the next one judged', () => {
    const judgedThrough = state({}, { windowFrom: '2026-03-02T10:06:00.000Z' });
    const folded = foldReading(
      judgedThrough,
      WINDOW,
      ENDS,
      { green: minutes('orders', 50), blue: minutes('orders-blue', 50) },
      NOW
    );
    expect(folded?.evaluation.verdict).toBe(Verdict.Pass);
    expect(folded?.state.status.failures).toBe(0);
    expect(folded?.evaluation.window).toEqual({
      start: '2026-03-02T10:06:00.000Z',
      end: '2026-03-02T10:07:00.000Z',
    });
  });
});
