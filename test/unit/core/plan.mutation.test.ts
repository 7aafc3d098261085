/**
 * What the expandSteps tables leave open (found by `npm run mutation`): a hand-made exponential plan whose
 * rounding repeats a value after several distinct steps (the schema's factor >= 1.5 never does), and the
 * messages of the refusals.
 */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../functions/core/input.ts';
import { expandSteps } from '../../../functions/core/plan.ts';

const timing = { bakeSeconds: 600, evaluationIntervalSeconds: 60, finalBakeSeconds: 600 };

describe('Function: expandSteps, edge cases', () => {
  it('drops a value that rounds to the last step, however many steps came before', () => {
    // Act: 0.1 x 1.1^n in tenths: 0.1, 0.1, ..., 0.2, ..., 0.3 (after 0.1 and 0.2), 0.3 again, ...
    const steps = expandSteps({
      ...timing,
      exponential: { startPercent: 0.1, factor: 1.1 },
    } as Plan);

    // Assess
    expect(steps.slice(0, 4)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(steps.every((step, index) => index === 0 || step > (steps[index - 1] ?? 0))).toBe(true);
    expect(steps.at(-1)).toBe(100);
  });

  it.each([
    {
      plan: {},
      message: 'expandSteps: the plan has none of steps, canary, linear, exponential',
    },
    {
      plan: { linear: { stepPercent: 0.04 } },
      message: 'expandSteps: linear stepPercent must be >= 0.1 (got 0.04)',
    },
    {
      plan: { exponential: { startPercent: 10, factor: 1 } },
      message: 'expandSteps: exponential needs startPercent > 0 and factor > 1 (got 10, 1)',
    },
  ])('refuses $plan naming why', ({ plan, message }) => {
    // Act + Assess
    expect(() => expandSteps({ ...timing, ...plan } as Plan)).toThrow(new RangeError(message));
  });
});
