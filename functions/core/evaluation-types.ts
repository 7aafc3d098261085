/**
 * The judgement of one evaluation: verdicts, the assessments behind them, the evaluation and the decision the
 * state machine acts on. Plain JSON: it travels in the Step Functions state.
 */
import type { TimeWindow } from './sample-types.ts';
import type { SequentialState } from './sequential.ts';

/** How one check judged one window. */
export const Verdict = {
  Pass: 'Pass',
  /** Evidence against green. */
  Fail: 'Fail',
  /** Too little traffic or no data: no evidence either way. Never a pass. */
  Inconclusive: 'Inconclusive',
  /** The metric source failed: no evidence either way. */
  Error: 'Error',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** What the state machine does after an evaluation. */
export const Action = {
  /** Move green to the next step. */
  Advance: 'advance',
  /** All good so far; the step's bake time is not over yet. */
  Observe: 'observe',
  /** Not advancing: a failure, an error or too little evidence within its limit. */
  Hold: 'hold',
  /** Restore the snapshot. */
  Rollback: 'rollback',
  /** Green is at 100 % and the final bake passed. */
  Complete: 'complete',
  /** The next step has an approval gate (plan.gates): wait for an answer, judging on (core/gates.ts). */
  Gate: 'gate',
} as const;
export type Action = (typeof Action)[keyof typeof Action];

export interface Decision {
  action: Action;
  /** Present for advance and gate: the green percent of the next step. */
  nextGreenPercent?: number;
  /** Why, for a person: `error rate 2.40% > 1% over 1,812 requests (lower bound 1.8%)`. */
  reason: string;
  /** Set when an operator's request (core/control.ts) changed the judge's decision: which one, and by whom. */
  control?: string;
}

/** One check of one scope (a discovery name or `overall`) over one window. */
export interface Assessment {
  /** `errorRate`, `latencyAvg`, `latencyMax`, `latencyP99`, `baselineErrorRate`, `baselineLatencyAvg`. */
  check: string;
  /** A Service Connect discovery name, or `overall`. */
  scope: string;
  verdict: Verdict;
  /** The observed value (percent for rates, milliseconds for latency); null when not measurable. */
  value: number | null;
  /** The limit it was judged against, in the same unit. */
  limit: number | null;
  /** Requests behind the value (for the error rate: those with a status code). */
  sampleSize: number;
  /** Whether this assessment counts toward the overall verdict (per-scope sample shortfalls do not). */
  counted: boolean;
  reason: string;
  /**
   * Which metric source judged it: absent = `serviceConnect`; `edge` (the environments' load balancers),
   * `alarm:<name>`, `custom:<label>`.
   */
  source?: string;
  /** Which environment was measured; absent = `green`. Blue's own assessments never count. */
  side?: 'green' | 'blue';
  /**
   * Set by the sequential error-rate test (sequential.ts): the evidence against green as odds, the odds at
   * which it rolls back, and over how many periods it built up. A Fail that carries it is decisive.
   */
  evidence?: { odds: number; thresholdOdds: number; minutes: number };
  /**
   * Set by the baseline error-rate check (baseline.ts) when blue's status codes were measured: blue's
   * requests with a status code and its 5xx in the same window, the counts its limit is computed from (and
   * compared with `minRequests`). Counts, not a series: the run state has Step Functions' size limit.
   */
  blue?: BlueCounts;
}

/** Blue's error-rate counts of one window. */
export interface BlueCounts {
  /** Requests with a status code (HTTPCode_Target_2XX..5XX). */
  requests: number;
  errors5xx: number;
}

/** The overall verdict of one evaluation and the assessments behind it. */
export interface Evaluation {
  verdict: Verdict;
  reason: string;
  assessments: Assessment[];
  window: TimeWindow | null;
  /**
   * How far green's data reached (ISO-8601, period-aligned): the end of the newest period of the window with
   * a green request datapoint (at least one period past the window's start, at most its end), or the window's
   * end when green has no request datapoint at all. A Pass or Fail moves the cursor (`ShiftStatus.windowFrom`)
   * and the bake only this far, so a minute CloudWatch publishes late is judged by the next evaluation
   * instead of being skipped. Null without a window; absent in an evaluation written before it existed
   * (read as the window's end).
   */
  judgedUntil?: string | null;
  /**
   * Seconds of the periods in `[window.start, judgedUntil)` in which green had a request datapoint: what a
   * Pass or Fail adds to the step's bake (`ShiftStatus.bakedSeconds`). Absent: 0 (nothing is baked on trust).
   */
  judgedDataSeconds?: number;
  /**
   * Blue's latency average in this window when it had at least `minRequests` samples: the run keeps the
   * latest one (`ShiftStatus.blueLatency`) as the baseline for windows in which blue has too little traffic.
   */
  blueLatency?: BlueLatency | null;
  /**
   * Set when a source demands a rollback now, whatever the failure counters say (an alarm in ALARM, as
   * CodeDeploy does): the reason. Absent or null: the counters decide.
   */
  immediateRollback?: string | null;
  /** The sequential tests after this evaluation (by check name); absent when none ran. */
  sequential?: Record<string, SequentialState>;
  /**
   * Per sequential test (by check name), the largest evidence it could reach by folding at once, at a later
   * minute, the minutes read here that it has not consumed (core/cadence-reach.ts): what lets the cadence
   * stay quiet while a test is not run (blue without traffic). Absent with `sequential`.
   */
  sequentialReach?: Record<string, { from: string; evidence: number }>;
}

/** A blue latency average good enough to be a baseline, and where it was measured. */
export interface BlueLatency {
  /** TargetResponseTime Average weighted by sample count, milliseconds. */
  avgMs: number;
  /** Blue's requests in that window (the evidence; the field name predates the request-count guard). */
  samples: number;
  /** End of the window it was measured in (ISO-8601). */
  windowEnd: string;
}
