/**
 * The overall error-rate checks (absolute and against blue) judged by the sequential test (sequential.ts)
 * instead of one window's Wilson bound: Fail is decisive (decide rolls back at once), Pass still needs the
 * window at or under the limit over at least `minRequests`, and everything else waits as Inconclusive with
 * the evidence so far in its reason.
 */
import { type Check, count, type ErrorRateJudgement, percent } from './checks.ts';
import {
  alarmThreshold,
  foldPeriods,
  formatOdds,
  initialSequentialState,
  type PeriodCounts,
  type SequentialSettings,
  type SequentialState,
} from './sequential.ts';
import type { Assessment, ServiceSample } from './types.ts';
import { Verdict } from './types.ts';

/**
 * Per-period counts summed over several names' samples; null without samples or when any sample lacks
 * them (a source that does not report periods is judged by the window check instead).
 *
 * @example
 * periodCountsOf([orders, payments]); // => [{ start: '…:01:00.000Z', requests: 620, errors: 3 }, …]
 */
export function periodCountsOf(samples: readonly ServiceSample[]): PeriodCounts[] | null {
  const lists = samples.map((sample) => sample.periods);
  if (lists.length === 0 || lists.some((list) => list === undefined)) return null;
  const byStart = new Map<string, PeriodCounts>();
  for (const period of (lists as PeriodCounts[][]).flat()) {
    const known = byStart.get(period.start);
    byStart.set(period.start, {
      start: period.start,
      requests: (known?.requests ?? 0) + period.requests,
      errors: (known?.errors ?? 0) + period.errors,
    });
  }
  return [...byStart.values()];
}

export interface SequentialJudgement extends ErrorRateJudgement {
  check: Check;
  periods: readonly PeriodCounts[];
  periodSeconds: number;
  state: SequentialState | undefined;
  settings: SequentialSettings;
}

/**
 * Folds the window's new periods into the check's test and judges: evidence at the threshold -> Fail
 * (decisive, whatever the traffic); no status codes or fewer than `minRequests` in the window ->
 * Inconclusive (the reason says so, with the evidence); window rate <= limit -> Pass; else Inconclusive,
 * "not significant yet".
 *
 * @example
 * judgeSequential({ ...judgement, periods, state, settings }).assessment.reason;
 * // => 'error rate 4.10% > 1% over 6,000 requests: evidence 1,400,000:1 over 2 min >= 140,000:1 (5xx 4.10% vs 1% limit)'
 */
export function judgeSequential(j: SequentialJudgement): {
  assessment: Assessment;
  state: SequentialState;
} {
  const state = foldPeriods(
    j.state ?? initialSequentialState(),
    j.periods,
    j.limitPercent / 100,
    j.periodSeconds,
    j.settings
  );
  const threshold = alarmThreshold(j.settings);
  const thresholdText = `${count(Math.round(threshold))}:1`;
  const evidence = { odds: state.evidence, thresholdOdds: threshold, minutes: state.minutes };
  const stretch =
    state.minutes === 0
      ? 'no evidence yet'
      : `5xx ${percent((100 * state.errors) / Math.max(1, state.requests))} vs ${j.limitText} limit, evidence ${formatOdds(state.evidence)} over ${count(state.minutes)} min`;
  const base = { check: j.check, scope: j.scope, limit: j.limitPercent, evidence };
  const requests = j.measure.statusRequests;
  const observed = requests !== null && requests > 0 ? (100 * j.measure.errors) / requests : null;
  if (state.evidence >= threshold) {
    return {
      state,
      assessment: {
        ...base,
        verdict: Verdict.Fail,
        value: observed,
        sampleSize: requests ?? 0,
        counted: true,
        reason: `${stretch} >= ${thresholdText} (false alarms <= ${count(j.settings.falseAlarmRate)} per 1,440 min)`,
      },
    };
  }
  const { minRequests } = j.thresholds;
  const waiting = `${stretch}; rolls back at ${thresholdText}`;
  if (j.measure.requests === null) {
    return {
      state,
      assessment: {
        ...base,
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: 0,
        counted: j.countShortfall,
        reason: `no request data (no traffic): requests (0) < minRequests (${count(minRequests)}); ${waiting}`,
      },
    };
  }
  if (requests === null) {
    // Traffic without status codes is unjudged traffic, not error-free traffic: it always counts.
    return {
      state,
      assessment: {
        ...base,
        verdict: Verdict.Inconclusive,
        value: null,
        sampleSize: j.measure.requests,
        counted: true,
        reason: `no HTTPCode_Target_* datapoints (RequestCount ${count(j.measure.requests)}): error rate not measurable`,
      },
    };
  }
  if (requests < minRequests) {
    return {
      state,
      assessment: {
        ...base,
        verdict: Verdict.Inconclusive,
        value: observed,
        sampleSize: requests,
        counted: j.countShortfall,
        reason: `requests (${count(requests)}) < minRequests (${count(minRequests)}): too little traffic to pass; ${waiting}`,
      },
    };
  }
  const rate = observed as number;
  if (rate <= j.limitPercent) {
    return {
      state,
      assessment: {
        ...base,
        verdict: Verdict.Pass,
        value: rate,
        sampleSize: requests,
        counted: true,
        reason: `error rate ${percent(rate)} <= ${j.limitText} over ${count(requests)} requests (${waiting})`,
      },
    };
  }
  return {
    state,
    assessment: {
      ...base,
      verdict: Verdict.Inconclusive,
      value: rate,
      sampleSize: requests,
      counted: true,
      reason: `error rate ${percent(rate)} > ${j.limitText} over ${count(requests)} requests, not significant yet (${waiting})`,
    },
  };
}
