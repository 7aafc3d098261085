/**
 * Operator control of a running migration: pause, resume, promote and promote --full, as requests stored in the
 * migration's registry entry (`MigrationEntry.control`) and read by EvaluateMetrics at every evaluation.
 *
 * Two pure halves: `requestControl` turns a command into the next stored `ControlState` (append-only audit
 * trail), and `controlledDecision` folds the stored state into the judge's decision. A regression always wins
 * over a pause or a plain promote; only `promote --full` (an explicit "no analysis") overrides the verdict.
 */
import type { Gates } from './input-gates.ts';
import { Action, type Decision, Verdict } from './types.ts';

/**
 * The audit actions (shared contract: gates appends `approve`, `reject`, `gate-timeout` to the same trail).
 *
 * @example
 * ControlAction.PromoteFull; // => 'promote-full'
 */
export const ControlAction = {
  Pause: 'pause',
  Resume: 'resume',
  Promote: 'promote',
  PromoteFull: 'promote-full',
  Approve: 'approve',
  Reject: 'reject',
  GateTimeout: 'gate-timeout',
  HookFail: 'hook-fail',
  Rollback: 'rollback',
} as const;
export type ControlAction = (typeof ControlAction)[keyof typeof ControlAction];

/** One line of the append-only audit trail: who asked what, when (ISO-8601), at which step, why. */
export interface AuditEntry {
  at: string;
  by: string;
  action: string;
  step?: number;
  reason?: string;
}

/** What a pause does when nobody resumes it in time. */
export type PauseTimeoutAction = 'rollback' | 'resume';

/** A pause in force: hold at the current weights until `until`, then `onTimeout`. */
export interface PauseRequest {
  at: string;
  by: string;
  until: string;
  onTimeout: PauseTimeoutAction;
  reason?: string;
}

/** A standing promote order: to 100 % at the next clean evaluation (`full`: now, without analysis). */
export interface PromoteRequest {
  at: string;
  by: string;
  full: boolean;
  reason?: string;
}

/** The `control` field of a registry entry. `revision` grows with every write (compare-and-swap). */
export interface ControlState {
  revision: number;
  pause: PauseRequest | null;
  promote: PromoteRequest | null;
  audit: AuditEntry[];
}

/**
 * Bounds of a pause: at least a minute (one evaluation), at most 14 days (ECS pause hooks wait as long).
 *
 * @example
 * PAUSE_MAX_SECONDS / 86_400; // => 14
 */
export const PAUSE_MIN_SECONDS = 60;
export const PAUSE_MAX_SECONDS = 14 * 86_400;
/**
 * A pause without `--timeout` lasts one day.
 *
 * @example
 * DEFAULT_PAUSE_SECONDS; // => 86_400
 */
export const DEFAULT_PAUSE_SECONDS = 86_400;

/** Where control is stored (adapters/dynamodb-control-store.ts); reads go through `MigrationRegistry.get`. */
export interface ControlStore {
  /**
   * Writes `control` when the entry is unfinished, still at `expected` (version and owner) and its control
   * still at `previousRevision` (0: none yet). Leaves `version` alone (the owner's writes compare it).
   *
   * @throws RegistryConflictError when any condition fails: read the entry again and retry.
   */
  writeControl(
    migrationId: string,
    expected: { version: number; executionArn: string },
    previousRevision: number,
    control: ControlState
  ): Promise<void>;
}

/** A command as the CLI hands it over. */
export type ControlRequest =
  | { action: 'pause'; timeoutSeconds: number; onTimeout: PauseTimeoutAction; reason?: string }
  | { action: 'resume'; reason?: string }
  | { action: 'promote'; full: boolean; reason?: string }
  | { action: 'rollback'; reason?: string };

/** The next control state, or why the request is refused (nothing is written then). */
export type ControlResult = { ok: true; control: ControlState } | { ok: false; refusal: string };

/**
 * A control state with nothing requested yet.
 *
 * @example
 * emptyControl(); // => { revision: 0, pause: null, promote: null, audit: [] }
 */
export function emptyControl(): ControlState {
  return { revision: 0, pause: null, promote: null, audit: [] };
}

const withReason = (reason: string | undefined) =>
  reason === undefined || reason === '' ? {} : { reason };

/**
 * Applies one operator command to the stored control state: the audit trail gets one line, the pause or
 * promote order is set or cleared, the revision grows. Refused: a pause timeout out of bounds, a resume of a
 * migration that is not paused, `promote --full` without a reason (it skips the analysis, so it must say why).
 * A promote also ends a pause (the operator asked to move on).
 *
 * @example
 * requestControl(undefined, { action: 'pause', timeoutSeconds: 3600, onTimeout: 'rollback' }, { by: 'ana@host', at: now });
 * // => { ok: true, control: { revision: 1, pause: { until: now + 1 h, onTimeout: 'rollback', ... }, audit: [{ action: 'pause', ... }] } }
 */
export function requestControl(
  current: ControlState | undefined,
  request: ControlRequest,
  who: { by: string; at: Date; step?: number }
): ControlResult {
  const control = current ?? emptyControl();
  const at = who.at.toISOString();
  const line = (action: string): AuditEntry => ({
    at,
    by: who.by,
    action,
    ...(who.step === undefined ? {} : { step: who.step }),
    ...withReason(request.reason),
  });
  const next = (changes: Partial<ControlState>, action: string): ControlResult => ({
    ok: true,
    control: {
      ...control,
      ...changes,
      revision: control.revision + 1,
      audit: [...control.audit, line(action)],
    },
  });
  switch (request.action) {
    case 'pause': {
      const { timeoutSeconds } = request;
      if (
        !Number.isInteger(timeoutSeconds) ||
        timeoutSeconds < PAUSE_MIN_SECONDS ||
        timeoutSeconds > PAUSE_MAX_SECONDS
      ) {
        return {
          ok: false,
          refusal: `--timeout: must be ${PAUSE_MIN_SECONDS} s to ${PAUSE_MAX_SECONDS} s (14 days), whole seconds (got ${timeoutSeconds})`,
        };
      }
      const until = new Date(who.at.getTime() + timeoutSeconds * 1_000).toISOString();
      const pause = {
        at,
        by: who.by,
        until,
        onTimeout: request.onTimeout,
        ...withReason(request.reason),
      };
      return next({ pause }, ControlAction.Pause);
    }
    case 'resume':
      if (
        control.pause?.onTimeout === 'rollback' &&
        Date.parse(control.pause.until) <= who.at.getTime()
      ) {
        // The run may not have evaluated since: "not paused" would hide the rollback that is coming.
        return {
          ok: false,
          refusal: `pause expired at ${control.pause.until} with onTimeout rollback: the run rolls back at its next evaluation (if it has not already); too late to resume`,
        };
      }
      if (control.pause === null || Date.parse(control.pause.until) <= who.at.getTime()) {
        return { ok: false, refusal: 'not paused: nothing to resume' };
      }
      return next({ pause: null }, ControlAction.Resume);
    case 'promote': {
      if (request.full && (request.reason ?? '').trim() === '') {
        return {
          ok: false,
          refusal:
            '--reason: required with --full (100 % now without analysis is recorded with why)',
        };
      }
      const promote = { at, by: who.by, full: request.full, ...withReason(request.reason) };
      return next(
        { pause: null, promote },
        request.full ? ControlAction.PromoteFull : ControlAction.Promote
      );
    }
    case 'rollback':
      return next({}, ControlAction.Rollback);
  }
}

/** What `controlledDecision` folds together. */
export interface ControlledDecisionArgs {
  /** The judge's decision for this evaluation (decide.ts). */
  decision: Decision;
  greenPercent: number;
  /** The verdict of this evaluation. */
  verdict: Verdict;
  control: ControlState | null | undefined;
  now: Date;
  /** The plan's approval gates: a plain promote stops at the first one on its way (only --full skips them). */
  gates?: Gates | undefined;
}

const who = (request: { by: string; at: string; reason?: string }) =>
  `${request.by} at ${request.at}${request.reason === undefined ? '' : ` (${request.reason})`}`;

/**
 * The decision after the operator's requests, first match wins:
 * 1. `promote --full`: below 100 % advance to 100 %, at 100 % complete; whatever the verdict (no analysis).
 * 2. The judge says rollback: rollback (a regression while paused or promoted still rolls back).
 * 3. A pause in force: hold at the current weights (judging goes on).
 * 4. A pause past its `until`: `onTimeout` rollback -> rollback; resume -> as if not paused.
 * 5. A promote below 100 %, the verdict Pass or Inconclusive (never on a Fail or Error): advance to 100 %;
 *    the final bake and its analysis still run. A gated step on the way (plan.gates) is not skipped: the
 *    decision is `gate` before the first one; the promote stands, so after the approval it goes on.
 * 6. Otherwise the judge's decision.
 * `decision.control` says which request changed the decision (Complete puts it into the outcome).
 *
 * @example
 * controlledDecision({ decision: { action: 'advance', nextGreenPercent: 50, reason }, greenPercent: 10, verdict: 'Pass', control: paused, now });
 * // => { action: 'hold', reason: 'paused by ana@host at …: ' + reason, control: 'pause' }
 */
export function controlledDecision(args: ControlledDecisionArgs): Decision {
  const { decision, greenPercent, verdict, control, now, gates } = args;
  if (control === null || control === undefined) return decision;
  const { pause, promote } = control;
  if (promote?.full === true) {
    const note = `promoted with --full by ${who(promote)}`;
    return greenPercent >= 100
      ? {
          action: Action.Complete,
          reason: `${note}: final bake and analysis skipped`,
          control: note,
        }
      : {
          action: Action.Advance,
          nextGreenPercent: 100,
          reason: `${note}: ${greenPercent}% -> 100% without analysis`,
          control: note,
        };
  }
  if (decision.action === Action.Rollback) return decision;
  if (pause !== null) {
    if (now.getTime() < Date.parse(pause.until)) {
      const reason = `paused by ${who(pause)} until ${pause.until} (then ${pause.onTimeout}): ${decision.reason}`;
      return { action: Action.Hold, reason, control: 'pause' };
    }
    if (pause.onTimeout === 'rollback') {
      const reason = `pause by ${who(pause)} not resumed by ${pause.until} (on timeout: rollback)`;
      return { action: Action.Rollback, reason, control: 'pause-timeout' };
    }
  }
  const clean = verdict === Verdict.Pass || verdict === Verdict.Inconclusive;
  if (promote !== null && greenPercent < 100 && clean) {
    const note = `promoted by ${who(promote)}`;
    // Skipping bakes never skips an approval: only --full (recorded with its reason) goes past a gate.
    const gated = gates?.beforeSteps.filter((step) => step > greenPercent).sort((a, b) => a - b)[0];
    if (gated !== undefined) {
      const reason = `approval gate before ${gated}%: waiting for traffic-shift approve/reject (${note}: ${greenPercent}% -> 100% stops at the gate; ${decision.reason})`;
      return { action: Action.Gate, nextGreenPercent: gated, reason, control: note };
    }
    const reason = `${note}: ${greenPercent}% -> 100%, remaining bakes skipped (final bake and analysis still apply); ${decision.reason}`;
    return { action: Action.Advance, nextGreenPercent: 100, reason, control: note };
  }
  return decision;
}
