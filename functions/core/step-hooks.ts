/**
 * Step hooks: the operator's Lambda functions the state machine asks before each shift (`beforeShift`) and when
 * a step's bake is over (`afterBake`), through a native `lambda:invoke` Task (InvokeStepHook) so that Step
 * Functions owns the time-out and the retries. The ASL checks the answer itself (CheckStepHookAnswer): only
 * `{ "status": "Pass", "reason": "<string>" }` passes; `RetryLater` asks again after `retryLaterSeconds`, at
 * most `maxAttempts` answers per round; `Fail`, anything malformed, a function error or a time-out rolls back.
 */
import type { Hooks } from './input-hooks.ts';
import type { Decision } from './types.ts';

/** What a hook function receives (the InvokeStepHook Payload). */
export interface StepHookRequest {
  kind: 'beforeShift' | 'afterBake';
  /** 1 for the first answer of a round, +1 after each RetryLater. */
  attempt: number;
  migrationId: string;
  executionArn: string;
  /** Green's percent now: the step whose bake is over (afterBake) or the one being left (beforeShift). */
  greenPercent: number;
  /** The plan's steps (green percents, ending at 100). */
  steps: number[];
  /**
   * What the run is about to do: `advance` (with `nextGreenPercent`), `gate` (an approved gate: the shift to its
   * `nextGreenPercent` follows) or `complete`; null before the first shift.
   */
  decision: Decision | null;
}

/** What a hook function answers. Anything else is a failure. */
export interface StepHookAnswer {
  status: 'Pass' | 'Fail' | 'RetryLater';
  reason: string;
}

/**
 * History events of a round whose first answer decides: StartXHook (Pass 2) + InvokeStepHook (Task 5) +
 * CheckStepHookAnswer (Choice 2) + StepHookPassed (Choice 2).
 *
 * @example
 * EVENTS_PER_HOOK_ROUND; // => 11
 */
export const EVENTS_PER_HOOK_ROUND = 11;
/**
 * One more answer after RetryLater: StepHookRetriesLeft (Choice 2) + WaitForStepHook (Wait 2) +
 * CountStepHookRetry (Pass 2) + InvokeStepHook (Task 5) + CheckStepHookAnswer (Choice 2).
 *
 * @example
 * EVENTS_PER_HOOK_ROUND + 2 * EVENTS_PER_HOOK_RETRY; // => 37 for a round answered Pass at the third attempt
 */
export const EVENTS_PER_HOOK_RETRY = 13;

/**
 * The most history events the configured hooks can add around one shift: every round answered RetryLater until
 * its last attempt. Counted in full (the estimate is conservative; the ASL does not report attempts back).
 *
 * @example
 * hookEventsPerShift(undefined); // => 0
 * hookEventsPerShift({ beforeShift: arn, maxAttempts: 3, ... }); // => 11 + 2 * 13 = 37
 */
export function hookEventsPerShift(hooks: Hooks | undefined): number {
  if (hooks === undefined) return 0;
  const rounds = [hooks.beforeShift, hooks.afterBake].filter((arn) => arn !== undefined).length;
  return rounds * (EVENTS_PER_HOOK_ROUND + (hooks.maxAttempts - 1) * EVENTS_PER_HOOK_RETRY);
}

/**
 * The hooks the stack may not invoke (its `StepHookFunctionArns`, unqualified; a version or alias of a listed
 * function is allowed, as the IAM policy grants `<arn>:*` too). `allowed` undefined: not checked (local engine).
 *
 * @example
 * stepHookProblems({ beforeShift: 'arn:aws:lambda:eu-west-1:1:function:other', ... }, ['arn:aws:lambda:eu-west-1:1:function:smoke']);
 * // => ["hooks.beforeShift: arn:aws:lambda:eu-west-1:1:function:other is not among the stack's StepHookFunctionArns (...)"]
 */
export function stepHookProblems(
  hooks: Hooks | undefined,
  allowed: readonly string[] | undefined
): string[] {
  if (hooks === undefined || allowed === undefined) return [];
  const permitted = allowed.map((arn) => arn.trim()).filter((arn) => arn !== '');
  return (['beforeShift', 'afterBake'] as const).flatMap((kind) => {
    const arn = hooks[kind];
    if (arn === undefined) return [];
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    const unqualified = arn.split(':').slice(0, 7).join(':');
    return permitted.includes(unqualified)
      ? []
      : [
          `hooks.${kind}: ${arn} is not among the stack's StepHookFunctionArns (${permitted.join(', ') || 'none'}): the state machine may not invoke it`,
        ];
  });
}
