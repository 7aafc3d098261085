/**
 * The cadence's claim (core/cadence.ts): on any sequence of minutes, the loop that looks every k minutes while
 * quiet (folding the minutes one by one, core/cadence-fold.ts) advances, completes and rolls back at exactly
 * the same simulated times as the loop that looks every minute, with no more evaluations. Both loops run the
 * real core (afterShift, afterSyncCheck, evaluationWindow, evaluate, afterEvaluation) on the same minutes;
 * only the one-minute loop overrides the cadence after each evaluation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FoldedLook,
  foldEnds,
  foldReading,
  foldSpan,
} from '../../../functions/core/cadence-fold.ts';
import type { MigrationInput } from '../../../functions/core/input.ts';
import { nextLookSeconds } from '../../../functions/core/publication.ts';
import {
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  newRunState,
  shiftTarget,
} from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import {
  type Evaluation,
  type MetricReading,
  type PeriodSample,
  type ServiceSample,
  type TimeWindow,
  Verdict,
} from '../../../functions/core/types.ts';
import { backlogStart, evaluate } from '../../../functions/core/verdict.ts';
import { weightsFor } from '../../../functions/core/weights.ts';
import { evaluationWindow } from '../../../functions/core/window.ts';
import { minuteJudgedLine } from '../../../functions/lib/dashboard-fields.ts';
import { inputWith, pairWith } from './fixtures.ts';

const MINUTE_MS = 60_000;
const START_MS = Date.parse('2026-03-02T10:00:00.000Z');
const CAP_MS = 6 * 60 * MINUTE_MS;

/** One side's minute: requests with a status code, 5xx among them, average latency. */
interface SideMinute {
  requests: number;
  errors: number;
  latencyMs: number;
}
interface Minute {
  green: SideMinute;
  blue: SideMinute;
}

const HEALTHY: Minute = {
  green: { requests: 3000, errors: 3, latencyMs: 60 },
  blue: { requests: 3000, errors: 3, latencyMs: 60 },
};

/** Green's minute `minute` as CloudWatch serves it in part, until `untilSeconds` after the minute ends. */
interface PartialRead {
  minute: number;
  untilSeconds: number;
  green: SideMinute;
}

/** The minutes of the world; after the generated ones, healthy forever (so every run ends). */
function world(minutes: readonly Minute[], partial?: PartialRead) {
  const at = (ms: number): Minute => minutes[Math.floor((ms - START_MS) / MINUTE_MS)] ?? HEALTHY;
  const served = (ms: number, side: 'green' | 'blue', nowMs: number): SideMinute =>
    side === 'green' &&
    partial !== undefined &&
    (ms - START_MS) / MINUTE_MS === partial.minute &&
    nowMs < ms + MINUTE_MS + partial.untilSeconds * 1_000
      ? partial.green
      : at(ms)[side];
  const sampleOf = (side: 'green' | 'blue', window: TimeWindow, nowMs: number): ServiceSample => {
    const parts: PeriodSample[] = [];
    for (let ms = Date.parse(window.start); ms < Date.parse(window.end); ms += MINUTE_MS) {
      const minute = served(ms, side, nowMs);
      if (ms < START_MS || minute.requests === 0) continue;
      parts.push({
        start: new Date(ms).toISOString(),
        http2xx: minute.requests - minute.errors,
        http3xx: null,
        http4xx: null,
        http5xx: minute.errors,
        requestCount: minute.requests,
        latencySampleCount: minute.requests,
        latencyAvgMs: minute.latencyMs,
        latencyMaxMs: minute.latencyMs * 3,
      });
    }
    const known = parts.length > 0;
    const sum = (pick: (part: PeriodSample) => number) =>
      known ? parts.reduce((total, part) => total + pick(part), 0) : null;
    const requests = sum((part) => part.requestCount as number);
    return {
      discoveryName: side === 'green' ? 'orders' : 'orders-blue',
      http2xx: sum((part) => part.http2xx as number),
      http3xx: null,
      http4xx: null,
      http5xx: sum((part) => part.http5xx as number),
      requestCount: requests,
      latencySampleCount: requests,
      latencyAvgMs: known
        ? (sum((part) => (part.latencyAvgMs as number) * (part.requestCount as number)) as number) /
          (requests as number)
        : null,
      latencyMaxMs: known ? Math.max(...parts.map((part) => part.latencyMaxMs as number)) : null,
      latencyP99Ms: null,
      periodStarts: parts.map((part) => part.start),
      periods: parts.map((part) => ({
        start: part.start,
        requests: part.requestCount as number,
        errors: part.http5xx as number,
      })),
      byPeriod: parts,
    };
  };
  return (side: 'green' | 'blue', window: TimeWindow, nowMs: number): MetricReading => ({
    kind: 'ok',
    services: [sampleOf(side, window, nowMs)],
  });
}

const NOT_JUDGED: Evaluation = {
  verdict: Verdict.Inconclusive,
  reason: 'no new complete metric window yet',
  assessments: [],
  window: null,
};

type Decided = { action: string; atMinute: number; greenPercent: number };
/** A `minute judged` line's window and verdict (lib/dashboard-fields.ts minuteJudgedLine). */
type JudgedMinute = { window: TimeWindow | null; verdict: string };

const THROTTLED: MetricReading = { kind: 'unavailable', reason: 'Throttling' };

/**
 * Plays the state machine's loop; `perMinute` forces a look every minute (the loop before the cadence). A look
 * reads as EvaluateMetrics does (handlers/evaluate-metrics.ts): a quiet look reads its span once and folds it
 * with the core's foldReading; green's (`failAt`) or blue's (`failBlueAt`) read fails at the looks at those
 * minutes.
 */
function play(
  input: MigrationInput,
  minutes: readonly Minute[],
  perMinute: boolean,
  failAt: readonly number[] = [],
  failBlueAt: readonly number[] = [],
  partial?: PartialRead
): { decisions: Decided[]; evaluations: number; judged: JudgedMinute[] } {
  const read = world(minutes, partial);
  const blue = (input.metrics.blueDiscoveryNames ?? []).length > 0;
  const identity = {
    executionArn: 'arn:aws:states:us-east-1:1:execution:ts:orders',
    executionName: 'orders',
    stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ts',
    startedAt: new Date(START_MS).toISOString(),
    generation: 1,
    continuedFrom: null,
  };
  let state: RunState = newRunState(input, identity, [pairWith({ blue: 100, green: 0 })]);
  let t = START_MS;
  const decisions: Decided[] = [];
  const judged: JudgedMinute[] = [];
  let evaluations = 0;
  const shift = () => {
    const target = shiftTarget(state);
    const weights = state.snapshot.map((pair) => weightsFor(pair, target));
    state = afterShift(state, target, weights, ['/change/C1'], new Date(t));
    t += state.waitSeconds * 1_000;
    state = afterSyncCheck(state, true, new Date(t));
  };
  shift();
  while (t - START_MS < CAP_MS) {
    t += state.waitSeconds * 1_000;
    const now = new Date(t);
    const minute = (t - START_MS) / MINUTE_MS;
    const greenOf = (window: TimeWindow) =>
      failAt.includes(minute) ? THROTTLED : read('green', window, t);
    const blueOf = (window: TimeWindow) =>
      !blue ? null : failBlueAt.includes(minute) ? THROTTLED : read('blue', window, t);
    const window = evaluationWindow(now, state.status, input.metrics);
    const ends = window === null ? [] : foldEnds(state.cadence, window, input);
    const span = window !== null && ends.length > 1 ? foldSpan(state, ends) : null;
    let look: FoldedLook;
    if (window === null) look = { state, evaluation: NOT_JUDGED, minutes: [NOT_JUDGED] };
    else if (span !== null)
      look = foldReading(
        state,
        window,
        ends,
        { green: greenOf(span), blue: blueOf(span) },
        now
      ) as FoldedLook;
    else {
      const from = backlogStart(state.status.sequential, window, input.metrics.windowSeconds);
      const evaluation = evaluate(
        greenOf(window),
        blueOf(window),
        input,
        window,
        state.status.blueLatency,
        state.status.sequential ?? null,
        from === null ? null : read('green', { start: from, end: window.start }, t)
      );
      look = { state, evaluation, minutes: [evaluation] };
    }
    state = afterEvaluation(look.state, look.evaluation, now, false, look.refoldThrough);
    evaluations += 1;
    // What EvaluateMetrics logs: one `minute judged` line per minute the look judged.
    for (const one of look.minutes)
      if (minuteJudgedLine('orders', 0, one) !== null)
        judged.push({ window: one.window, verdict: one.verdict });
    if (perMinute && state.cadence !== undefined) {
      state = {
        ...state,
        cadence: { ...state.cadence, minutes: 1 },
        waitSeconds: nextLookSeconds(now, input.metrics, 60),
      };
    }
    const action = state.decision?.action ?? 'none';
    if (action === 'advance' || action === 'complete' || action === 'rollback') {
      decisions.push({ action, atMinute: minute, greenPercent: state.status.greenPercent });
      if (action !== 'advance') break;
      shift();
    }
  }
  return { decisions, evaluations, judged };
}

const side = (requests: number[], errorRates: number[], latencies: number[]) =>
  fc
    .record({
      requests: fc.constantFrom(...requests),
      errorRate: fc.constantFrom(...errorRates),
      latencyMs: fc.constantFrom(...latencies),
    })
    .map(({ requests: n, errorRate, latencyMs }) => ({
      requests: n,
      errors: Math.round(n * errorRate),
      latencyMs,
    }));

const HEALTHY_STRETCH = fc.record({
  length: fc.integer({ min: 1, max: 12 }),
  green: fc.constant(HEALTHY.green),
  blue: fc.constant(HEALTHY.blue),
});

/** Stretches of identical minutes: mostly healthy, with bursts, regressions, slow or quiet minutes, no data. */
const minutesArb = fc
  .array(
    fc.oneof(
      { arbitrary: HEALTHY_STRETCH, weight: 3 },
      {
        arbitrary: fc.record({
          length: fc.integer({ min: 1, max: 10 }),
          green: side([0, 10, 30, 400, 3000], [0, 0.001, 0.006, 0.02, 0.3, 1], [60, 150, 400]),
          blue: side([0, 400, 3000], [0, 0.001, 0.01], [60, 100]),
        }),
        weight: 2,
      },
      {
        // Blue silent (its baseline test not run) while green errs under the absolute limit but over a
        // baseline one: the minutes that test folds at once when blue is back.
        arbitrary: fc.record({
          length: fc.integer({ min: 1, max: 8 }),
          green: side([3000], [0.003, 0.006], [60]),
          blue: side([0], [0], [60]),
        }),
        weight: 1,
      }
    ),
    { maxLength: 16 }
  )
  .map((stretches) =>
    stretches.flatMap(({ length, green, blue }) =>
      Array.from({ length }, (): Minute => ({ green, blue }))
    )
  );

const inputArb = fc
  .record({
    bakeSeconds: fc.constantFrom(60, 120, 180, 300, 420, 900),
    finalBakeSeconds: fc.constantFrom(60, 240),
    minEvidenceMinutes: fc.integer({ min: 1, max: 4 }),
    falseAlarmRate: fc.constantFrom(0.01, 0.3),
    maxFailures: fc.integer({ min: 1, max: 8 }),
    maxConsecutiveFailures: fc.integer({ min: 0, max: 3 }),
    maxInconclusive: fc.integer({ min: 1, max: 10 }),
    onInconclusiveLimit: fc.constantFrom('hold' as const, 'rollback' as const),
    blue: fc.boolean(),
    latencyAvgMaxMs: fc.constantFrom(undefined, 200),
    // The baseline test's limit is at least minDelta: what bounds the minutes it has not folded.
    errorRateMinDeltaPercent: fc.constantFrom(0, 0.5, 2),
    errorRateMaxRatio: fc.constantFrom(1, 2, 5),
  })
  .map((c) =>
    inputWith({
      plan: {
        steps: [25, 100],
        bakeSeconds: c.bakeSeconds,
        finalBakeSeconds: c.finalBakeSeconds,
        evaluationIntervalSeconds: 60,
      },
      metrics: {
        greenDiscoveryNames: ['orders'],
        ...(c.blue ? { blueDiscoveryNames: ['orders-blue'] } : {}),
      },
      thresholds: {
        minEvidenceMinutes: c.minEvidenceMinutes,
        falseAlarmRate: c.falseAlarmRate,
        baseline: {
          errorRateMinDeltaPercent: c.errorRateMinDeltaPercent,
          errorRateMaxRatio: c.errorRateMaxRatio,
        },
        ...(c.latencyAvgMaxMs === undefined ? {} : { latencyAvgMaxMs: c.latencyAvgMaxMs }),
      },
      limits: {
        maxFailures: c.maxFailures,
        maxConsecutiveFailures: c.maxConsecutiveFailures,
        maxInconclusive: c.maxInconclusive,
        onInconclusiveLimit: c.onInconclusiveLimit,
      },
    })
  );

describe('Cadence loop against the one-minute loop', () => {
  it('advances, completes and rolls back at the same minute, with no more evaluations', () => {
    fc.assert(
      fc.property(inputArb, minutesArb, (input, minutes) => {
        const perMinute = play(input, minutes, true);
        const cadence = play(input, minutes, false);
        expect(cadence.decisions).toEqual(perMinute.decisions);
        expect(cadence.evaluations).toBeLessThanOrEqual(perMinute.evaluations);
      }),
      { numRuns: 400 }
    );
  });

  it('logs the same judged minutes, windows and verdicts as the one-minute loop (none twice, none after the run decides)', () => {
    fc.assert(
      fc.property(inputArb, minutesArb, (input, minutes) => {
        const perMinute = play(input, minutes, true);
        const cadence = play(input, minutes, false);
        expect(cadence.judged).toEqual(perMinute.judged);
      }),
      { numRuns: 200 }
    );
  });

  it('decides at the same minute when blue falls silent while green errs (the baseline test not run)', () => {
    // The baseline test's unfolded minutes are bounded by their counts at its lowest limit (minDelta): blue
    // back with a limit under green's rate folds them at once, at the minute a one-minute loop sees it.
    fc.assert(
      fc.property(
        fc.record({
          pre: fc.integer({ min: 0, max: 10 }),
          silent: fc.integer({ min: 1, max: 8 }),
          greenErrorRate: fc.constantFrom(0, 0.001, 0.003, 0.006, 0.009),
          blueBack: fc.constantFrom(0, 400, 3000),
          minEvidenceMinutes: fc.integer({ min: 2, max: 4 }),
          errorRateMinDeltaPercent: fc.constantFrom(0, 0.2, 0.5),
          errorRateMaxRatio: fc.constantFrom(1, 2, 5),
          bakeSeconds: fc.constantFrom(300, 900),
        }),
        (c) => {
          const input = inputWith({
            plan: { steps: [25, 100], bakeSeconds: c.bakeSeconds, finalBakeSeconds: 600 },
            metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
            thresholds: {
              minEvidenceMinutes: c.minEvidenceMinutes,
              baseline: {
                errorRateMinDeltaPercent: c.errorRateMinDeltaPercent,
                errorRateMaxRatio: c.errorRateMaxRatio,
              },
            },
          });
          const green = {
            requests: 3000,
            errors: Math.round(3000 * c.greenErrorRate),
            latencyMs: 60,
          };
          const minutes: Minute[] = [
            ...Array<Minute>(c.pre).fill(HEALTHY),
            ...Array<Minute>(c.silent).fill({ green, blue: { ...HEALTHY.blue, requests: 0 } }),
            ...Array<Minute>(12).fill({ green, blue: { ...HEALTHY.blue, requests: c.blueBack } }),
          ];
          const perMinute = play(input, minutes, true);
          const cadence = play(input, minutes, false);
          expect(cadence.decisions).toEqual(perMinute.decisions);
          expect(cadence.evaluations).toBeLessThanOrEqual(perMinute.evaluations);
        }
      ),
      { numRuns: 300 }
    );
  });

  const low: Minute = { green: { requests: 10, errors: 0, latencyMs: 60 }, blue: HEALTHY.blue };
  const slow: Minute = { green: { requests: 3000, errors: 3, latencyMs: 400 }, blue: HEALTHY.blue };
  const erring = { requests: 3000, errors: 90, latencyMs: 60 };
  it.each([
    {
      name: 'an inconclusive streak one minute from maxInconclusive (rollback)',
      limits: { maxInconclusive: 3, onInconclusiveLimit: 'rollback' as const },
      minutes: [HEALTHY, ...Array<Minute>(12).fill(low)],
      rollbackAt: 7.5,
    },
    {
      name: 'scattered Fails one from maxFailures',
      limits: { maxFailures: 2, maxConsecutiveFailures: 5 },
      minutes: [HEALTHY, HEALTHY, HEALTHY, slow, HEALTHY, HEALTHY, slow, HEALTHY, HEALTHY, slow],
      rollbackAt: 11.5,
    },
    {
      name: 'a baseline test not run while blue had no traffic, folding those minutes when blue is back',
      thresholds: { errorRateMaxPercent: 5 },
      minutes: [
        HEALTHY,
        HEALTHY,
        HEALTHY,
        ...Array<Minute>(4).fill({ green: erring, blue: { ...HEALTHY.blue, requests: 0 } }),
        ...Array<Minute>(6).fill({ green: erring, blue: HEALTHY.blue }),
      ],
      rollbackAt: 9.5,
    },
  ])('$name: rolls back at the same minute', ({ limits, thresholds, minutes, rollbackAt }) => {
    const input = inputWith({
      plan: { steps: [25, 100], bakeSeconds: 900, finalBakeSeconds: 240 },
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
      thresholds: { latencyAvgMaxMs: 200, ...thresholds },
      limits: limits ?? {},
    });
    const perMinute = play(input, minutes, true);
    const cadence = play(input, minutes, false);
    expect(perMinute.decisions).toEqual([
      { action: 'rollback', atMinute: rollbackAt, greenPercent: 25 },
    ]);
    expect(cadence.decisions).toEqual(perMinute.decisions);
    expect(cadence.evaluations).toBeLessThan(perMinute.evaluations);
  });

  it('rolls back at the same minute when green errs while blue is silent and a minute is first read in part', () => {
    // Review of f65ed65: blue silent at 25 % (its minutes published late), green at 3 % under an absolute limit
    // of 5 % but over the baseline's; minute 6 reads 0 5xx at its first look and 90 from then on. Taking the
    // partial counts as final made the cadence quiet and the rollback 2 minutes late (11.5): below 100 % the
    // stale test's minutes are bounded by the cap.
    const input = inputWith({
      plan: { steps: [25, 100], bakeSeconds: 900, finalBakeSeconds: 240 },
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
      thresholds: { errorRateMaxPercent: 5 },
    });
    const erring = { requests: 3000, errors: 90, latencyMs: 60 };
    const minutes: Minute[] = [
      ...Array<Minute>(4).fill(HEALTHY),
      ...Array<Minute>(3).fill({ green: erring, blue: { ...HEALTHY.blue, requests: 0 } }),
      ...Array<Minute>(10).fill({ green: erring, blue: HEALTHY.blue }),
    ];
    const partial = { minute: 6, untilSeconds: 100, green: { ...erring, errors: 0 } };
    const perMinute = play(input, minutes, true, [], [], partial);
    const cadence = play(input, minutes, false, [], [], partial);
    expect(perMinute.decisions).toEqual([{ action: 'rollback', atMinute: 9.5, greenPercent: 25 }]);
    expect(cadence.decisions).toEqual(perMinute.decisions);
  });

  it('looks every minEvidenceMinutes at 100 % while blue has no traffic (its baseline test not run)', () => {
    const input = inputWith({
      plan: { steps: [25, 100], bakeSeconds: 300, finalBakeSeconds: 600 },
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
      thresholds: { minEvidenceMinutes: 3 },
    });
    // Blue serves until the shift to 100 % (minute 7), then nothing: green stays healthy.
    const silentBlue: Minute = { green: HEALTHY.green, blue: { ...HEALTHY.blue, requests: 0 } };
    const minutes = [...Array<Minute>(8).fill(HEALTHY), ...Array<Minute>(30).fill(silentBlue)];
    const perMinute = play(input, minutes, true);
    const cadence = play(input, minutes, false);
    expect(cadence.decisions).toEqual(perMinute.decisions);
    expect(cadence.decisions.map((d) => d.action)).toEqual(['advance', 'complete']);
    const [advance, complete] = cadence.decisions as [Decided, Decided];
    expect(complete.atMinute - advance.atMinute).toBeGreaterThan(10);
    // 100 %: the first window, then every 3 minutes to the 10-minute bake's end: 4 looks, not 10 (the stale
    // baseline test's unfolded minutes, taken at the cap, kept every look at one minute: 3 + 10 = 13).
    expect({ perMinute: perMinute.evaluations, cadence: cadence.evaluations }).toEqual({
      perMinute: 5 + 10,
      cadence: 3 + 4,
    });
  });

  it('looks less often on a healthy migration (the cost it saves)', () => {
    const input = inputWith({
      plan: { steps: [25, 100], bakeSeconds: 600, finalBakeSeconds: 600 },
      metrics: { greenDiscoveryNames: ['orders'], blueDiscoveryNames: ['orders-blue'] },
    });
    const perMinute = play(input, [], true);
    const cadence = play(input, [], false);
    expect(cadence.decisions).toEqual(perMinute.decisions);
    expect(cadence.decisions.map((d) => d.action)).toEqual(['advance', 'complete']);
    expect(cadence.evaluations).toBeLessThan(perMinute.evaluations * 0.7);
  });
});

/** A green latency regression (blue stays healthy). */
const SLOW: Minute = { green: { requests: 3000, errors: 3, latencyMs: 400 }, blue: HEALTHY.blue };

/** The input of the failed-read cases: a latency regression rolls back at its first Fail. */
function latencyInput(blueNames: string[]): MigrationInput {
  return inputWith({
    plan: { steps: [25, 100], bakeSeconds: 900, finalBakeSeconds: 240 },
    metrics: {
      greenDiscoveryNames: ['orders'],
      ...(blueNames.length > 0 ? { blueDiscoveryNames: blueNames } : {}),
    },
    thresholds: { latencyAvgMaxMs: 200, minEvidenceMinutes: 3 },
    limits: { maxConsecutiveFailures: 1 },
  });
}

/** Whether `cadence` decides anything later than (or does not decide what) `perMinute` decides. */
function later(cadence: Decided[], perMinute: Decided[]): boolean {
  return (
    cadence.length < perMinute.length ||
    cadence.some((decided, i) => {
      const other = perMinute[i];
      return (
        other === undefined || decided.action !== other.action || decided.atMinute > other.atMinute
      );
    })
  );
}

describe('Loop: a failed read at a quiet look (adversarial review)', () => {
  it.each([
    {
      name: "green's read fails (D2: its minutes are read again, one by one)",
      blue: [],
      side: 'green',
    },
    {
      name: "blue's read fails (D1: green's minutes still folded one by one)",
      blue: ['orders-blue'],
      side: 'blue',
    },
  ])('$name: rolls back no later than the one-minute loop', ({ blue, side: failing }) => {
    const input = latencyInput(blue);
    for (let healthy = 1; healthy < 8; healthy++) {
      const minutes = [...Array<Minute>(healthy).fill(HEALTHY), ...Array<Minute>(12).fill(SLOW)];
      for (let fail = 3; fail < 14; fail += 0.5) {
        const [greenFails, blueFails] = failing === 'green' ? [[fail], []] : [[], [fail]];
        const perMinute = play(input, minutes, true, greenFails, blueFails);
        const cadence = play(input, minutes, false, greenFails, blueFails);
        expect({ healthy, fail, later: later(cadence.decisions, perMinute.decisions) }).toEqual({
          healthy,
          fail,
          later: false,
        });
      }
    }
  });

  it('advances at the same minute after an inconclusive stretch (low traffic)', () => {
    const low: Minute = { green: { requests: 10, errors: 0, latencyMs: 60 }, blue: HEALTHY.blue };
    for (const bakeSeconds of [120, 180, 300, 420])
      for (const n of [1, 2, 3, 4, 5])
        for (const pre of [0, 1, 2, 3, 4, 5, 6, 7, 8]) {
          const input = inputWith({
            plan: { steps: [25, 100], bakeSeconds, finalBakeSeconds: 240 },
            metrics: { greenDiscoveryNames: ['orders'] },
            thresholds: { minEvidenceMinutes: 4 },
          });
          const minutes = [...Array<Minute>(pre).fill(HEALTHY), ...Array<Minute>(n).fill(low)];
          expect(play(input, minutes, false).decisions).toEqual(
            play(input, minutes, true).decisions
          );
        }
  });
});
