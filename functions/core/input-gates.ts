/** `plan.gates`: manual approval before chosen steps (design.md §2 "Approval gates"). */

import * as z from 'zod/mini';
import { DAY_SECONDS, Percent } from './input-fields.ts';
import type { Plan } from './input-plan.ts';
import { boundedInt, described } from './input-zod.ts';
import { expandSteps } from './plan.ts';

/**
 * The longest a gate may wait: 14 days, the same bound as ECS deployment pause hooks
 * (anchors-2026-11.md). A gate re-enters every evaluation interval (13 history events, history.ts), so a
 * 14-day gate spans several continuations; the bound keeps a forgotten gate from holding a half-shifted
 * migration for weeks, and stays well inside the execution's own 35-day TimeoutSeconds per generation.
 */
export const MAX_GATE_TIMEOUT_SECONDS = 14 * DAY_SECONDS;
/** One day: long enough for a person to answer across time zones, short enough not to be forgotten. */
export const DEFAULT_GATE_TIMEOUT_SECONDS = DAY_SECONDS;

export const GatesSchema = described(
  z.strictObject({
    /** Green percents of the plan before which the run waits for `traffic-shift approve`. 100: before the full shift. */
    beforeSteps: described(
      // A gate is before one distinct step of at most 100: a longer list is a mistake, and each entry reports.
      z
        .array(Percent)
        .check(
          z.minLength(1, 'must name at least one step'),
          z.maxLength(100, 'must name at most 100 steps')
        ),
      'Green percents of the plan (steps of the expanded plan) before which the run waits for approve/reject; 100 = before the full shift.'
    ),
    /** How long a gate waits for an answer before it takes `onTimeout`. */
    timeoutSeconds: described(
      boundedInt({
        min: 60,
        max: MAX_GATE_TIMEOUT_SECONDS,
        maxNote: '14 days, as ECS pause hooks',
        default: DEFAULT_GATE_TIMEOUT_SECONDS,
      }),
      'How long a gate waits for an answer (default 86400, at most 1209600 = 14 days) before it takes onTimeout.'
    ),
    /** What an unanswered gate does at its timeout. */
    onTimeout: described(
      z._default(z.enum(['rollback', 'continue'], 'must be rollback or continue'), 'rollback'),
      'What an unanswered gate does at its timeout: rollback (default) or continue.'
    ),
  }),
  'Approval gates: wait for traffic-shift approve/reject before chosen steps; evaluations go on while waiting.'
);
export type Gates = z.infer<typeof GatesSchema>;

/**
 * Every gate names a step of the expanded plan, not the first one (the first shift follows preflight, not
 * an evaluation: start the migration when it is approved), at most once, and the timeout is at least one
 * evaluation interval (each wait for an answer lasts one interval).
 */
export function checkGates(
  plan: Plan & { gates?: Gates | undefined },
  ctx: z.core.$RefinementCtx
): void {
  const gates = plan.gates;
  if (gates === undefined) return;
  // Refinements run after non-fatal issues too: an exponential factor refused as < 1.5 but a hair above 1
  // would make expandSteps loop for minutes (Preflight times out instead of naming the field).
  if (ctx.issues.some((issue) => issue.path?.[0] === 'exponential')) return;
  let steps: number[];
  try {
    steps = expandSteps(plan);
  } catch {
    return; // the plan's own rules already report why it has no steps
  }
  gates.beforeSteps.forEach((percent, index) => {
    const path = ['gates', 'beforeSteps', index];
    if (!steps.includes(percent)) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: equivalent, describeIssues reads the message and path, never the code
        code: 'custom',
        message: `${percent} is not a step of the plan (steps: ${steps.join(', ')})`,
        path,
      });
    } else if (percent === steps[0]) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: equivalent, describeIssues reads the message and path, never the code
        code: 'custom',
        message: `${percent} is the first step: a gate before the first shift is not supported (start the migration when it is approved)`,
        path,
      });
    } else if (gates.beforeSteps.indexOf(percent) !== index) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: equivalent, describeIssues reads the message and path, never the code
        code: 'custom',
        message: `${percent} is named twice`,
        path,
      });
    }
  });
  if (gates.timeoutSeconds < plan.evaluationIntervalSeconds) {
    ctx.addIssue({
      // Stryker disable next-line StringLiteral: equivalent, describeIssues reads the message and path, never the code
      code: 'custom',
      message: `must be >= evaluationIntervalSeconds (${plan.evaluationIntervalSeconds}): a gate waits at least one evaluation interval`,
      path: ['gates', 'timeoutSeconds'],
    });
  }
}
