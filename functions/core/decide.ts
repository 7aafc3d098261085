/**
 * Folds one evaluation into the run's cursor and decides what the state machine does next.
 * Pure and deterministic: the same status, evaluation, steps, input and `now` give the same result,
 * so every decision can be replayed from the execution history.
 */
import type { MigrationInput } from './input.ts';
import { bakeSecondsAt, nextGreenPercent } from './plan.ts';
import { Action, type Decision, type Evaluation, type ShiftStatus, Verdict } from './types.ts';

/**
 * The cursor before the first shift.
 *
 * @example
 * initialStatus(); // => { stepIndex: -1, greenPercent: 0, syncedAt: null, windowFrom: null, …, lastVerdict: null }
 */
export function initialStatus(): ShiftStatus {
  return {
    stepIndex: -1,
    greenPercent: 0,
    syncedAt: null,
    judgingFrom: null,
    windowFrom: null,
    bakedSeconds: 0,
    blueLatency: null,
    stepEvaluations: 0,
    evaluations: 0,
    failures: 0,
    consecutiveFailures: 0,
    inconclusiveStreak: 0,
    consecutiveErrors: 0,
    lastVerdict: null,
  };
}

/**
 * The cursor right after a write for a new step: not synced, nothing judged at this step yet. Run-wide
 * counters carry over (`failures` is a whole-run budget; the streaks are 0 anyway after the Pass that
 * allowed the advance), and so does the remembered blue latency baseline (blue's traffic only shrinks).
 *
 * @example
 * statusForNewStep(status, 1, 25); // => { ...status, stepIndex: 1, greenPercent: 25, syncedAt: null, judgingFrom: null, windowFrom: null, bakedSeconds: 0, stepEvaluations: 0 }
 */
export function statusForNewStep(
  status: ShiftStatus,
  stepIndex: number,
  greenPercent: number
): ShiftStatus {
  return {
    ...status,
    stepIndex,
    greenPercent,
    syncedAt: null,
    judgingFrom: null,
    windowFrom: null,
    bakedSeconds: 0,
    stepEvaluations: 0,
  };
}

/**
 * The counters after one more verdict (design.md §4 "Decision"), the window cursor and the blue baseline.
 * The cursor moves past a window only once it was judged (Pass or Fail), and only to its `judgedUntil` (the
 * end of its newest period with green data): after Inconclusive (too little traffic, or a breach not yet
 * significant) or Error its data is read again, together with what follows.
 */
function countVerdict(status: ShiftStatus, evaluation: Evaluation): ShiftStatus {
  const { verdict, window } = evaluation;
  const judged = (verdict === Verdict.Pass || verdict === Verdict.Fail) && window !== null;
  const counted = {
    ...status,
    evaluations: status.evaluations + 1,
    stepEvaluations: status.stepEvaluations + 1,
    lastVerdict: verdict,
    // Only as far as green's data reached: a period published late is read again with the next window.
    windowFrom: judged ? (evaluation.judgedUntil ?? window.end) : (status.windowFrom ?? null),
    // The bake grows by the periods in which green had data, never by gaps (design.md §4 "Decision").
    bakedSeconds: (status.bakedSeconds ?? 0) + (judged ? (evaluation.judgedDataSeconds ?? 0) : 0),
    // A state written before the baseline existed has none.
    blueLatency: evaluation.blueLatency ?? status.blueLatency ?? null,
    // The sequential tests carry over evaluations that did not run them (no window, source error).
    ...(evaluation.sequential !== undefined || status.sequential !== undefined
      ? { sequential: evaluation.sequential ?? status.sequential }
      : {}),
  };
  switch (verdict) {
    case Verdict.Fail:
      return {
        ...counted,
        failures: status.failures + 1,
        consecutiveFailures: status.consecutiveFailures + 1,
        inconclusiveStreak: 0,
        consecutiveErrors: 0,
      };
    case Verdict.Inconclusive:
      return {
        ...counted,
        inconclusiveStreak: status.inconclusiveStreak + 1,
        consecutiveErrors: 0,
      };
    case Verdict.Error:
      return { ...counted, consecutiveErrors: status.consecutiveErrors + 1 };
    case Verdict.Pass:
      return { ...counted, consecutiveFailures: 0, inconclusiveStreak: 0, consecutiveErrors: 0 };
  }
}

/**
 * What `decide` folds together.
 *
 * @example
 * const args: DecideArgs = { status: state.status, evaluation, steps: state.steps, input: state.input, now: clock.now() };
 */
export interface DecideArgs {
  status: ShiftStatus;
  evaluation: Evaluation;
  /** The run's steps (strictly increasing, ending at 100). */
  steps: readonly number[];
  input: Pick<MigrationInput, 'plan' | 'limits'>;
  /** The handler's clock (the core never reads one); the rules do not depend on it since the bake counts data. */
  now: Date;
}

/**
 * Counts the evaluation's verdict, then applies the first rule that matches:
 * 0. a counted Fail of the sequential error-rate test (its evidence at the threshold) -> rollback;
 * 1. failures > maxFailures -> rollback; 2. consecutive failures > maxConsecutiveFailures -> rollback;
 * 3. consecutive errors > maxConsecutiveErrors -> rollback; 4. inconclusive streak > maxInconclusive ->
 * rollback or hold (`onInconclusiveLimit`); 5. verdict not Pass -> hold; 6. bake not over (`bakedSeconds`, the
 * periods with green data in the windows judged Pass or Fail at this step, shorter than the bake) -> observe;
 * 7. at 100 % -> complete, else advance to the next step. A rollback or limit reason ends with the
 * latest evaluation's reason, so the Fail cause says why on its own.
 *
 * @example
 * decide({ status, evaluation: failing, steps: [10, 50, 100], input, now });
 * // => { status: { ...status, failures: 3, … }, decision: { action: 'rollback', reason: 'failures (3) > maxFailures (2); latest evaluation: overall: error rate …' } }
 */
export function decide(args: DecideArgs): { status: ShiftStatus; decision: Decision } {
  const { evaluation, steps, input } = args;
  const { limits, plan } = input;
  const status = countVerdict(args.status, evaluation);
  const latest = `; latest evaluation: ${evaluation.reason}`;
  // An alarm in ALARM rolls back at once, as CodeDeploy does: the team's alarm already decided.
  if (evaluation.immediateRollback) {
    return { status, decision: { action: Action.Rollback, reason: evaluation.immediateRollback } };
  }
  const limitRules: {
    observed: number;
    label: string;
    limit: number;
    name: string;
    action: Action;
  }[] = [
    {
      observed: status.failures,
      label: 'failures',
      limit: limits.maxFailures,
      name: 'maxFailures',
      action: Action.Rollback,
    },
    {
      observed: status.consecutiveFailures,
      label: 'consecutive failures',
      limit: limits.maxConsecutiveFailures,
      name: 'maxConsecutiveFailures',
      action: Action.Rollback,
    },
    {
      observed: status.consecutiveErrors,
      label: 'consecutive errors',
      limit: limits.maxConsecutiveErrors,
      name: 'maxConsecutiveErrors',
      action: Action.Rollback,
    },
    {
      observed: status.inconclusiveStreak,
      label: 'inconclusive streak',
      limit: limits.maxInconclusive,
      name: 'maxInconclusive',
      action: limits.onInconclusiveLimit === 'hold' ? Action.Hold : Action.Rollback,
    },
  ];
  // The sequential error-rate test already weighed every minute and bounds its false alarms: its Fail is
  // decisive. The limits above still count it, and apply to the window checks (latency, per-name rates).
  const decisive = evaluation.assessments.find(
    (assessment) =>
      assessment.counted &&
      assessment.verdict === Verdict.Fail &&
      assessment.evidence !== undefined &&
      assessment.evidence.odds >= assessment.evidence.thresholdOdds
  );
  if (decisive !== undefined) {
    // An edge test names its source (`edge app/green/1`); Service Connect's scopes stand alone.
    const where = decisive.source === undefined ? '' : `${decisive.source} `;
    const reason = `sequential test: ${where}${decisive.scope} ${decisive.check}: ${decisive.reason}`;
    return { status, decision: { action: Action.Rollback, reason } };
  }
  const broken = limitRules.find((rule) => rule.observed > rule.limit);
  if (broken !== undefined) {
    const holding = broken.action === Action.Hold ? ' (onInconclusiveLimit: hold)' : '';
    const reason = `${broken.label} (${broken.observed}) > ${broken.name} (${broken.limit})${holding}${latest}`;
    return { status, decision: { action: broken.action, reason } };
  }
  if (evaluation.verdict !== Verdict.Pass) {
    return { status, decision: { action: Action.Hold, reason: evaluation.reason } };
  }
  const bakeSeconds = bakeSecondsAt(plan, status.greenPercent);
  // The bake counts periods of judged green data, not time: with a publication delay of minutes, "300 s since
  // sync" would be declared over on 2 minutes of data, and after a gap one minute of data would count the gap.
  const { bakedSeconds } = status;
  if (bakedSeconds < bakeSeconds) {
    const reason = `baking at ${status.greenPercent}%: ${bakedSeconds} s of ${bakeSeconds} s; ${evaluation.reason}`;
    return { status, decision: { action: Action.Observe, reason } };
  }
  if (status.greenPercent >= 100) {
    const reason = `green at 100% passed the final bake (${bakeSeconds} s); ${evaluation.reason}`;
    return { status, decision: { action: Action.Complete, reason } };
  }
  const next = nextGreenPercent(steps, status.greenPercent);
  const reason = `advance to ${next}%: ${status.greenPercent}% passed its bake (${bakeSeconds} s); ${evaluation.reason}`;
  return { status, decision: { action: Action.Advance, nextGreenPercent: next, reason } };
}
