/**
 * The run's cursor (step, bake, counters, sequential tests) that travels in the execution state.
 */
import type { BlueLatency, Verdict } from './evaluation-types.ts';
import type { SequentialState } from './sequential.ts';

/** The run's cursor; travels in the execution state. Times are ISO-8601 from the handler's clock. */
export interface ShiftStatus {
  /** Index into plan.steps of the current step; -1 before the first shift. */
  stepIndex: number;
  /** Green share of the current step in percent (0 before the first shift). */
  greenPercent: number;
  /** When Route 53 reported the current step INSYNC; null while pending. */
  syncedAt: string | null;
  /** First instant whose traffic reflects the current weights (synced + TTL). */
  judgingFrom: string | null;
  /**
   * Where the next window starts: everything before it has been judged Pass or Fail (or predates
   * judgingFrom). Set to judgingFrom when the step becomes judgeable; moves to the end of each window judged
   * Pass or Fail, and stays put after Inconclusive or Error, so the next window grows (up to windowSeconds)
   * until it holds enough evidence. Consecutive Fails are thus independent data. Null while not judgeable.
   */
  windowFrom: string | null;
  /**
   * Seconds of green data judged Pass or Fail at this step (periods with a request datapoint only): the bake.
   * A state written before it existed has none: preflight's resume schema and `decide` read that as 0.
   */
  bakedSeconds: number;
  /** The latest blue latency average with enough samples: the baseline once blue has too little traffic. */
  blueLatency: BlueLatency | null;
  /** Evaluations in the current step. */
  stepEvaluations: number;
  /** All evaluations of the run, all generations. */
  evaluations: number;
  /** Fail verdicts in the whole run. */
  failures: number;
  consecutiveFailures: number;
  /** Inconclusive verdicts in a row. */
  inconclusiveStreak: number;
  consecutiveErrors: number;
  /** The verdict of the latest evaluation, if any. */
  lastVerdict: Verdict | null;
  /**
   * The sequential error-rate tests by check name (run-wide: they forget healthy minutes on their own).
   * Absent in a state written before they existed: they start afresh.
   */
  sequential?: Record<string, SequentialState>;
  /**
   * The end of the window in which a judged look at 100 % green found blue below `minRequests`: blue is not
   * read again in the run (core/blue-drained.ts). Absent or null (a state written before it existed): not
   * drained.
   */
  blueDrainedFrom?: string | null;
}
