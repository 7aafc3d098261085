/**
 * Approval gates (plan.gates, design.md §2 "Approval gates"). An `advance` to a gated step becomes a `gate`
 * decision: the state machine waits in WaitForApproval (`.waitForTaskToken`) for one evaluation interval,
 * then judges again, so a regression during a gate still rolls back. The gate itself (step, deadline, newest
 * task token, a stored answer) lives in the migration's registry entry: a continuation finds it there, and an
 * answer that lands while no token is open is taken at the next wait.
 */
import { GateRejectedError, GateTimedOutError } from './errors.ts';
import { addEvents } from './history.ts';
import type { Gates } from './input-gates.ts';
import type { RunState } from './state.ts';
import { Action, type Decision } from './types.ts';

/**
 * History events of one WaitForApproval wait that ends by its timeout: TaskStateEntered, TaskScheduled,
 * TaskStarted, TaskSubmitted, TaskTimedOut, TaskStateExited (counted although a caught task may not write it).
 *
 * @example
 * GATE_WAIT_EVENTS + 5 + 2; // => 13 events per gated evaluation round (wait, EvaluateMetrics, Decide)
 */
export const GATE_WAIT_EVENTS = 6;
/** A gated round replaces Bake (Wait, 2 events) with WaitForApproval: this many more than a plain round. */
export const GATE_WAIT_EXTRA_EVENTS = GATE_WAIT_EVENTS - 2;

/** What a person (or the gate's timeout) answered. */
export interface GateAnswer {
  action: 'approve' | 'reject';
  /** STS caller ARN (deployed) or `$USER@host` (local). */
  by: string;
  at: string;
  reason?: string;
}

/** The open (or last) gate of a migration, in its registry entry (`MigrationEntry.gate`). JSON only. */
export interface GateState {
  /** The green percent the gate stands before. */
  step: number;
  openedAt: string;
  /** openedAt + plan.gates.timeoutSeconds: then `defaultAction` is taken. */
  timeoutAt: string;
  defaultAction: 'rollback' | 'continue';
  /** The newest WaitForApproval task token (null once the gate is closed). */
  taskToken: string | null;
  /** The execution that holds the token (a continuation takes the gate over). */
  executionArn: string;
  /** Stored durably by approve/reject; taken by the next wait if it missed the token. */
  answer: GateAnswer | null;
  /** When the gate let the run go on or sent it to rollback (null while open). */
  closedAt: string | null;
}

/** What WaitForApproval's task returns to the state machine (SendTaskSuccess output, at `$.gateResult`). */
export interface GateResult {
  step: number;
  action: 'approve' | 'continue';
  by: string;
  reason: string;
}

/** The error names WaitForApproval fails with (SendTaskFailure, errors.ts); the ASL catches both into Rollback. */
export const GateError = {
  Rejected: new GateRejectedError('').name,
  TimedOut: new GateTimedOutError('').name,
} as const;

/**
 * Whether the run must wait for an answer before shifting to `percent`.
 *
 * @example
 * isGated({ beforeSteps: [50, 100], timeoutSeconds: 86400, onTimeout: 'rollback' }, 50); // => true
 */
export function isGated(gates: Gates | undefined, percent: number | undefined): percent is number {
  return gates?.beforeSteps.some((step) => step === percent) ?? false;
}

/**
 * Applied after every evaluation (run.ts afterEvaluation): counts the extra events of a gated round and turns an
 * `advance` to a gated step into `gate`. A Fail, a hold or a rollback is left as decided: judging goes on.
 *
 * @example
 * withGate(previous, next).decision; // => { action: 'gate', nextGreenPercent: 50, reason: 'approval gate before 50%: …' }
 */
export function withGate(previous: RunState, next: RunState): RunState {
  const history =
    previous.decision?.action === Action.Gate
      ? addEvents(next.history, GATE_WAIT_EXTRA_EVENTS)
      : next.history;
  const decision = next.decision;
  const percent = decision?.nextGreenPercent;
  if (decision?.action !== Action.Advance || !isGated(next.input.plan.gates, percent))
    return { ...next, history };
  return {
    ...next,
    history,
    decision: {
      action: Action.Gate,
      nextGreenPercent: percent,
      reason: `approval gate before ${percent}%: waiting for traffic-shift approve/reject (${decision.reason})`,
    },
  };
}

/**
 * The gate for `step` at `now`: the open one carried over (same step, not closed: its deadline stands, a new
 * token replaces the old; a closed one stays as decided), else a new one.
 *
 * @example
 * openGate(null, { step: 50, now, gates, executionArn, taskToken }).timeoutAt; // => now + gates.timeoutSeconds
 */
export function openGate(
  existing: GateState | null | undefined,
  args: { step: number; now: Date; gates: Gates; executionArn: string; taskToken: string }
): { gate: GateState; opened: boolean } {
  const { step, now, gates, executionArn, taskToken } = args;
  // Steps only go up, so a gate of the same step is this gate: once closed it stays decided (a retried
  // invocation answers its token the same way again).
  if (existing != null && existing.step === step) {
    if (existing.closedAt !== null) return { gate: existing, opened: false };
    return { gate: { ...existing, taskToken, executionArn }, opened: false };
  }
  const timeoutAt = new Date(now.getTime() + gates.timeoutSeconds * 1_000).toISOString();
  return {
    gate: {
      step,
      openedAt: now.toISOString(),
      timeoutAt,
      defaultAction: gates.onTimeout,
      taskToken,
      executionArn,
      answer: null,
      closedAt: null,
    },
    opened: true,
  };
}

/** What the open gate does now: wait for an answer, or go on / roll back (by an answer or the deadline). */
export type GateResolution =
  | { kind: 'wait' }
  | { kind: 'continue'; result: GateResult }
  | { kind: 'rollback'; error: string; cause: string };

/**
 * A stored answer wins over the deadline (it was given before the gate could act on it); past the deadline
 * the default action is taken.
 *
 * @example
 * resolveGate({ ...gate, answer: { action: 'reject', by: 'arn:…:user/ana', at, reason: 'p99 looks off' } }, now);
 * // => { kind: 'rollback', error: 'GateRejectedError', cause: 'gate before 50% rejected by arn:…:user/ana: p99 looks off' }
 */
export function resolveGate(gate: GateState, now: Date): GateResolution {
  const before = `gate before ${gate.step}%`;
  const { answer } = gate;
  if (answer !== null) {
    const why = answer.reason ? `: ${answer.reason}` : '';
    if (answer.action === 'reject')
      return {
        kind: 'rollback',
        error: GateError.Rejected,
        cause: `${before} rejected by ${answer.by}${why}`,
      };
    return {
      kind: 'continue',
      result: {
        step: gate.step,
        action: 'approve',
        by: answer.by,
        reason: `${before} approved by ${answer.by}${why}`,
      },
    };
  }
  if (now.getTime() < Date.parse(gate.timeoutAt)) return { kind: 'wait' };
  const unanswered = `${before} unanswered since ${gate.openedAt} (timeout ${gate.timeoutAt})`;
  if (gate.defaultAction === 'continue')
    return {
      kind: 'continue',
      result: {
        step: gate.step,
        action: 'continue',
        by: 'gate-timeout',
        reason: `${unanswered}: default action continue`,
      },
    };
  return {
    kind: 'rollback',
    error: GateError.TimedOut,
    cause: `${unanswered}: default action rollback`,
  };
}

/**
 * A gate the run holds at: once its evaluations go Inconclusive (hold) or it is paused, WaitForApproval does not
 * run, so a stored reject or a deadline whose default is rollback would wait for the next gated round. They
 * roll back now (rejecting is always allowed, as `traffic-shift rollback` is); an approval or a `continue`
 * default still needs a clean evaluation and is taken at that round.
 *
 * @example
 * rollbackAtHeldGate(openGateRejected, { action: 'hold', reason: '…' }, now); // => { action: 'rollback', reason: 'gate before 50% rejected by ana' }
 */
export function rollbackAtHeldGate(
  gate: GateState | undefined,
  decision: Decision,
  now: Date
): Decision {
  if (gate === undefined || gate.closedAt !== null) return decision;
  if (decision.action !== Action.Hold && decision.action !== Action.Observe) return decision;
  const resolution = resolveGate(gate, now);
  if (resolution.kind !== 'rollback') return decision;
  return { action: Action.Rollback, reason: resolution.cause };
}

/**
 * The commands that answer a gate, for the GateWaiting event and the prompt.
 *
 * @example
 * answerCommands('orders'); // => { approve: 'traffic-shift approve orders --reason "…"', reject: 'traffic-shift reject orders --reason "…"' }
 */
export function answerCommands(migrationId: string): { approve: string; reject: string } {
  const id = /^[A-Za-z0-9_.:-]+$/.test(migrationId) ? migrationId : JSON.stringify(migrationId);
  return {
    approve: `traffic-shift approve ${id} --reason "…"`,
    reject: `traffic-shift reject ${id} --reason "…"`,
  };
}

/**
 * Answers a `.waitForTaskToken` task (adapters/step-functions-task-tokens.ts; the local engine has its own).
 * A token that can no longer be answered (timed out, closed, unknown) throws GateTokenClosedError: the answer
 * is in the registry anyway and the next wait takes it.
 */
export interface TaskTokens {
  succeed(taskToken: string, output: GateResult): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}
