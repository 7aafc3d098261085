import { describe, expect, it } from 'vitest';
import { decide } from '../../../functions/core/decide.ts';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import { bakeSecondsAt, estimatePlan, expandSteps } from '../../../functions/core/plan.ts';
import { Action, Verdict } from '../../../functions/core/types.ts';
import { draft, evaluationWith, inputWith, statusAt } from './fixtures.ts';

const PLAN = {
  steps: [{ percent: 10, bakeSeconds: 1_800 }, 50, { percent: 100, bakeSeconds: 900 }],
  bakeSeconds: 600,
  finalBakeSeconds: 300,
};

function rejection(plan: object): string[] {
  try {
    parseMigrationInput({ ...(draft() as object), plan });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.rule}`);
  }
}

describe('Per-step bakes: plan.steps entries { percent, bakeSeconds } beside plain numbers', () => {
  it.each([
    { greenPercent: 10, expected: 1_800, why: 'its own bake' },
    { greenPercent: 50, expected: 600, why: 'plan.bakeSeconds' },
    { greenPercent: 100, expected: 900, why: 'its own bake instead of finalBakeSeconds' },
  ])('bakeSecondsAt $greenPercent % = $expected s ($why)', ({ greenPercent, expected }) => {
    expect(bakeSecondsAt(PLAN, greenPercent)).toBe(expected);
  });

  it('without per-step bakes: bakeSeconds below 100 %, finalBakeSeconds at 100 %', () => {
    const plan = { steps: [10, 100], bakeSeconds: 600, finalBakeSeconds: 300 };
    expect([bakeSecondsAt(plan, 10), bakeSecondsAt(plan, 100)]).toEqual([600, 300]);
  });

  it('parses and expands to plain percents', () => {
    // Act
    const input = parseMigrationInput({ ...(draft() as object), plan: PLAN });

    // Assess
    expect(input.plan.steps).toEqual(PLAN.steps);
    expect(expandSteps(input.plan)).toEqual([10, 50, 100]);
  });

  it('the estimate and its formula use each step bake', () => {
    // Act
    const estimate = estimatePlan(inputWith({ plan: PLAN }), { ttlSeconds: 60 });

    // Assess
    expect(estimate.perStep.map((step) => step.bakeSeconds)).toEqual([1_800, 600, 900]);
    expect(estimate.formulas.eta).toContain('bakes (1800 + 600 s)');
    expect(estimate.formulas.eta).toContain('900 s final bake');
  });

  it.each([
    {
      what: 'a step bake under a minute',
      plan: { steps: [{ percent: 10, bakeSeconds: 30 }, 100] },
      issue: 'plan.steps[0].bakeSeconds: must be >= 60',
    },
    {
      what: 'a step bake shorter than the evaluation interval',
      plan: {
        steps: [{ percent: 10, bakeSeconds: 120 }, 100],
        evaluationIntervalSeconds: 300,
        bakeSeconds: 600,
      },
      issue: 'plan.steps[0].bakeSeconds: must be >= evaluationIntervalSeconds (300)',
    },
    {
      what: 'steps out of order, objects included',
      plan: { steps: [{ percent: 50, bakeSeconds: 600 }, 20, 100] },
      issue: 'plan.steps[1]: must be greater than the previous step (50)',
    },
  ])('refuses $what, naming the field and the rule', ({ plan, issue }) => {
    expect(rejection(plan)).toContain(issue);
  });

  it('refuses an unknown key in a step entry', () => {
    expect(rejection({ steps: [{ percent: 10, bake: 60 }, 100] }).join('\n')).toContain(
      'plan.steps[0]'
    );
  });

  it('decide bakes each step as long as its own bake says', () => {
    // Prepare
    const input = inputWith({ plan: PLAN });
    const baked = (greenPercent: number, bakedSeconds: number) =>
      decide({
        status: statusAt(greenPercent, '2026-01-01T00:00:00.000Z', { bakedSeconds }),
        evaluation: evaluationWith(Verdict.Pass),
        steps: [10, 50, 100],
        input,
        now: new Date('2026-01-01T01:00:00.000Z'),
      }).decision.action;

    // Assess: 10 % bakes 1,800 s, not the plan's 600 s; 100 % bakes 900 s, not finalBakeSeconds 300 s.
    expect(baked(10, 1_000)).toBe(Action.Observe);
    expect(baked(10, 1_800)).toBe(Action.Advance);
    expect(baked(50, 600)).toBe(Action.Advance);
    expect(baked(100, 600)).toBe(Action.Observe);
    expect(baked(100, 900)).toBe(Action.Complete);
  });
});
