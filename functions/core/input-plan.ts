/** The schedule part of the input: green percents and bake times. */

import * as z from 'zod/mini';
import { DAY_SECONDS, oneDecimal, Percent } from './input-fields.ts';
import { checkGates, GatesSchema } from './input-gates.ts';
import { boundedInt, described } from './input-zod.ts';
import { stepPercent } from './plan.ts';

/**
 * Steps strictly increase and end at 100; issues go to `steps[i]` of the object being refined.
 *
 * @example
 * z.object({ steps: z.array(z.number()) }).check(z.superRefine((value, ctx) => checkStepOrder(value.steps, ctx)));
 */
export function checkStepOrder(steps: readonly number[], ctx: z.core.$RefinementCtx): void {
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    if (previous !== undefined && step <= previous) {
      ctx.addIssue({
        code: 'custom',
        message: `must be greater than the previous step (${previous})`,
        path: ['steps', index],
      });
    }
  });
  if (steps.at(-1) !== 100) {
    ctx.addIssue({
      code: 'custom',
      message: 'the last step must be 100',
      path: ['steps', steps.length - 1],
    });
  }
}

/** The bake of one step, instead of `bakeSeconds` (or `finalBakeSeconds` at 100). */
const StepBakeSeconds = z
  .int('must be an integer')
  .check(z.gte(60, 'must be >= 60'), z.lte(7 * DAY_SECONDS, 'must be <= 604800 (7 days)'));

/** A step: a green percent, or `{ percent, bakeSeconds }` with its own bake. */
export const StepSchema = z.union([
  Percent,
  z.strictObject({ percent: Percent, bakeSeconds: StepBakeSeconds }),
]);
export type Step = z.infer<typeof StepSchema>;

export const PlanSchema = z
  .strictObject({
    /** Explicit green percents, strictly increasing, ending at 100; an entry may carry its own bake. */
    steps: described(
      z.optional(
        z
          .array(StepSchema)
          .check(
            z.minLength(1, 'must have at least one step'),
            z.maxLength(100, 'must have at most 100 steps')
          )
      ),
      'Explicit green percents, strictly increasing, ending at 100. An entry may be { "percent": 10, "bakeSeconds": 1800 }: that step bakes this long instead of bakeSeconds (finalBakeSeconds at 100).'
    ),
    /** CodeDeploy/ECS-style canary: `percent`, then 100. */
    canary: described(
      z.optional(
        z.strictObject({ percent: Percent.check(z.refine((p) => p < 100, 'must be < 100')) })
      ),
      'CodeDeploy/ECS-style canary: `percent`, then 100.'
    ),
    /** Linear: `stepPercent`, 2 x stepPercent, ... up to 100. */
    linear: described(
      z.optional(
        z.strictObject({
          stepPercent: z
            .number()
            .check(
              z.gte(1, 'must be >= 1'),
              z.lte(50, 'must be <= 50'),
              z.refine(oneDecimal, 'must have at most one decimal place')
            ),
        })
      ),
      'Linear: `stepPercent`, 2 x stepPercent, ... up to 100.'
    ),
    /** Exponential (AppConfig-style): startPercent x factor^n, capped at 100. */
    exponential: described(
      z.optional(
        z.strictObject({
          startPercent: Percent.check(z.refine((p) => p < 100, 'must be < 100')),
          factor: z.number().check(z.gte(1.5, 'must be >= 1.5'), z.lte(10, 'must be <= 10')),
        })
      ),
      'Exponential (AppConfig-style): startPercent x factor^n, capped at 100.'
    ),
    /** Bake time at each step below 100 %, measured from the moment the step's traffic is judgeable. */
    bakeSeconds: described(
      boundedInt({ min: 60, max: 7 * DAY_SECONDS, maxNote: '7 days', default: 600 }),
      "Bake time at each step below 100 %, measured from the moment the step's traffic is judgeable."
    ),
    /** How often metrics are judged during a bake. */
    evaluationIntervalSeconds: described(
      boundedInt({ min: 60, max: 3_600, default: 60 }),
      'How often metrics are judged during a bake.'
    ),
    /** Bake at 100 % green before the run completes. */
    finalBakeSeconds: described(
      boundedInt({ min: 0, max: 7 * DAY_SECONDS, maxNote: '7 days', default: 600 }),
      'Bake at 100 % green before the run completes.'
    ),
    /** Approval gates before chosen steps (input-gates.ts). */
    gates: z.optional(GatesSchema),
  })
  .check(
    z.superRefine((plan, ctx) => {
      const given = (['steps', 'canary', 'linear', 'exponential'] as const).filter(
        (key) => plan[key] !== undefined
      );
      if (given.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: `exactly one of steps, canary, linear, exponential is required (got ${given.length === 0 ? 'none' : given.join(', ')})`,
          path: [],
        });
      }
      if (plan.steps) {
        checkStepOrder(plan.steps.map(stepPercent), ctx);
        plan.steps.forEach((step, index) => {
          if (typeof step !== 'number' && plan.evaluationIntervalSeconds > step.bakeSeconds) {
            ctx.addIssue({
              code: 'custom',
              message: `must be >= evaluationIntervalSeconds (${plan.evaluationIntervalSeconds})`,
              path: ['steps', index, 'bakeSeconds'],
            });
          }
        });
      }
      if (plan.evaluationIntervalSeconds > plan.bakeSeconds) {
        ctx.addIssue({
          code: 'custom',
          message: `must be <= bakeSeconds (${plan.bakeSeconds})`,
          path: ['evaluationIntervalSeconds'],
        });
      }
      checkGates(plan, ctx);
    })
  );
export type Plan = z.infer<typeof PlanSchema>;
