import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../functions/core/input.ts';
import {
  DNS_SYNC_ESTIMATE_SECONDS,
  estimatePlan,
  expandSteps,
  nextGreenPercent,
  remainingSteps,
} from '../../../functions/core/plan.ts';
import { inputWith } from './fixtures.ts';

const timing = { bakeSeconds: 600, evaluationIntervalSeconds: 60, finalBakeSeconds: 600 };

function isPlanShaped(steps: number[]): boolean {
  return (
    steps.at(-1) === 100 &&
    steps.every((step, index) => index === 0 || step > (steps[index - 1] ?? 0))
  );
}

describe('Function: expandSteps', () => {
  it.each([
    { name: 'explicit steps as given', plan: { steps: [5, 10, 100] }, expected: [5, 10, 100] },
    { name: 'a canary then 100', plan: { canary: { percent: 10 } }, expected: [10, 100] },
    {
      name: 'linear steps up to 100',
      plan: { linear: { stepPercent: 25 } },
      expected: [25, 50, 75, 100],
    },
    {
      name: 'linear steps that miss 100, then 100',
      plan: { linear: { stepPercent: 30 } },
      expected: [30, 60, 90, 100],
    },
    {
      name: 'linear steps in tenths without drift',
      plan: { linear: { stepPercent: 33.3 } },
      expected: [33.3, 66.6, 99.9, 100],
    },
    {
      name: 'exponential steps capped at 100',
      plan: { exponential: { startPercent: 1, factor: 3 } },
      expected: [1, 3, 9, 27, 81, 100],
    },
    {
      name: 'exponential steps rounded to one decimal',
      plan: { exponential: { startPercent: 2.5, factor: 2.5 } },
      expected: [2.5, 6.3, 15.6, 39.1, 97.7, 100],
    },
    {
      name: 'exponential steps without repeats after rounding',
      plan: { exponential: { startPercent: 0.1, factor: 1.5 } },
      expected: [
        0.1, 0.2, 0.3, 0.5, 0.8, 1.1, 1.7, 2.6, 3.8, 5.8, 8.6, 13, 19.5, 29.2, 43.8, 65.7, 98.5,
        100,
      ],
    },
    {
      name: 'exponential steps whose next one rounds to 100',
      plan: { exponential: { startPercent: 99.96, factor: 2 } },
      expected: [100],
    },
  ])('expands $name', ({ plan, expected }) => {
    // Act
    const steps = expandSteps({ ...timing, ...plan } as Plan);

    // Assess
    expect(steps).toEqual(expected);
    expect(isPlanShaped(steps)).toBe(true);
  });

  it.each([
    { name: 'a plan of no kind', plan: {} },
    { name: 'a linear step of 0', plan: { linear: { stepPercent: 0 } } },
    { name: 'an exponential factor of 1', plan: { exponential: { startPercent: 1, factor: 1 } } },
    { name: 'an exponential start of 0', plan: { exponential: { startPercent: 0, factor: 2 } } },
  ])('refuses $name rather than looping forever', ({ plan }) => {
    // Act + Assess
    expect(() => expandSteps({ ...timing, ...plan } as Plan)).toThrow(RangeError);
  });

  it('always ends at 100 and strictly increases, for every schema-valid plan kind', () => {
    const tenths = (min: number, max: number) => fc.integer({ min, max }).map((t) => t / 10);
    fc.assert(
      fc.property(
        fc.oneof(
          tenths(1, 999).map((percent) => ({ canary: { percent } })),
          tenths(10, 500).map((stepPercent) => ({ linear: { stepPercent } })),
          fc
            .record({
              startPercent: tenths(1, 999),
              factor: fc.double({ min: 1.5, max: 10, noNaN: true }),
            })
            .map((exponential) => ({ exponential }))
        ),
        (kind) => {
          // Act
          const steps = expandSteps({ ...timing, ...kind } as Plan);

          // Assess
          expect(isPlanShaped(steps)).toBe(true);
          expect(
            steps.every((step) => step > 0 && step <= 100 && Math.round(step * 10) === step * 10)
          ).toBe(true);
        }
      )
    );
  });
});

describe('Function: remainingSteps', () => {
  it.each([
    { start: 0, expected: [10, 25, 50, 100] },
    { start: 10, expected: [25, 50, 100] },
    { start: 30, expected: [50, 100] },
    { start: 99.9, expected: [100] },
    { start: 100, expected: [100] },
  ])('skips the steps at or below $start%', ({ start, expected }) => {
    // Act + Assess
    expect(remainingSteps([10, 25, 50, 100], start)).toEqual(expected);
  });
});

describe('Function: nextGreenPercent', () => {
  it.each([
    { current: 0, expected: 10 },
    { current: 10, expected: 50 },
    { current: 20, expected: 50 },
    { current: 50, expected: 100 },
    { current: 100, expected: 100 },
  ])('moves from $current% to $expected%', ({ current, expected }) => {
    // Act + Assess
    expect(nextGreenPercent([10, 50, 100], current)).toBe(expected);
  });

  it('always moves forward and never exceeds 100', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 20 })
          .map((t) => [...t.sort((a, b) => a - b).map((x) => x / 10), 100]),
        fc.integer({ min: 0, max: 1000 }).map((t) => t / 10),
        (steps, current) => {
          // Act
          const next = nextGreenPercent(steps, current);

          // Assess
          expect(next).toBeLessThanOrEqual(100);
          if (current < 100) expect(next).toBeGreaterThan(current);
          expect(steps).toContain(next);
        }
      )
    );
  });
});

describe('Function: estimatePlan', () => {
  it('sums DNS sync, TTL, publication delay, period and bake per step, with the final bake at 100', () => {
    // Prepare
    const input = inputWith({ plan: { steps: [5, 10, 25, 50, 75, 100] } });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 60 });

    // Assess: 5 x (60 + 60 + 150 + 60 + 600) + (60 + 60 + 150 + 60 + 600)
    expect(estimate.steps).toEqual([5, 10, 25, 50, 75, 100]);
    expect(estimate.etaSeconds).toBe(5_580);
    expect(estimate.perStep[0]).toEqual({
      greenPercent: 5,
      dnsSyncSeconds: 60,
      ttlSeconds: 60,
      publicationDelaySeconds: 150,
      periodSeconds: 60,
      bakeSeconds: 600,
      totalSeconds: 930,
    });
    expect(estimate.formulas.eta).toBe(
      '5 step(s) x (60 s DNS sync + 60 s TTL + 150 s publication delay + 60 s period + 600 s bake)' +
        ' + 1 step at 100% x (60 s DNS sync + 60 s TTL + 150 s publication delay + 60 s period + 600 s final bake)' +
        ' = 5,580 s (1 h 33 min)'
    );
  });

  it('bounds the exposure by delay, period, the evaluations needed to roll back, the rollback sync and the TTL', () => {
    // Prepare: no polling, so a published minute waits for the next evaluation
    const input = inputWith({
      thresholds: { minEvidenceMinutes: 3 },
      plan: { evaluationIntervalSeconds: 120 },
      metrics: { greenDiscoveryNames: ['orders'], publicationPollSeconds: 0 },
    });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 30 });

    // Assess: 150 + 60 + 120 + 2 x 120 + 60 + 30
    expect(estimate.worstCaseExposureSeconds).toBe(660);
    expect(estimate.formulas.worstCaseExposure).toBe(
      '150 s publication delay + 60 s period + 120 s to the next evaluation' +
        ' + 2 x 120 s (minEvidenceMinutes more periods of evidence for the sequential test) + 60 s rollback DNS sync + 30 s TTL = 660 s (11 min)'
    );
  });

  it('judges a minute when it is published when polling, and spaces the evidence by the period', () => {
    // Prepare: a new period of data only every 300 s, although evaluations run every 60 s
    const input = inputWith({
      thresholds: { minEvidenceMinutes: 3 },
      metrics: { periodSeconds: 300, windowSeconds: 600, publicationDelaySeconds: 0 },
    });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 60 });

    // Assess: 0 + 300 + 0 + 2 x 300 + 60 + 60
    expect(estimate.worstCaseExposureSeconds).toBe(1_020);
    expect(estimate.formulas.worstCaseExposure).toContain('(judged when published) + 2 x 300 s');
  });

  it.each([
    { start: 10, steps: [50, 100] },
    { start: 100, steps: [100] },
  ])('plans only what is left from $start%', ({ start, steps }) => {
    // Prepare
    const input = inputWith({ plan: { steps: [10, 50, 100], finalBakeSeconds: 0 } });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 60, startGreenPercent: start });

    // Assess
    expect(estimate.steps).toEqual(steps);
    expect(estimate.perStep.map((step) => step.greenPercent)).toEqual(steps);
  });

  it('writes a lone final step without a leading term', () => {
    // Prepare
    const input = inputWith({ plan: { canary: { percent: 10 }, finalBakeSeconds: 3_000 } });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 0, startGreenPercent: 10 });

    // Assess: 60 + 0 + 150 + 60 + 3,000 = 3,270 s
    expect(estimate.formulas.eta).toBe(
      '1 step at 100% x (60 s DNS sync + 0 s TTL + 150 s publication delay + 60 s period + 3000 s final bake) = 3,270 s (54 min 30 s)'
    );
  });

  it('prints hours without minutes', () => {
    // Prepare: 2 steps x (60 s sync + 0 s TTL + 0 s delay + 60 s period) + 3,360 s bake + 0 s final bake = 3,600 s
    const input = inputWith({
      plan: { canary: { percent: 10 }, bakeSeconds: 3_360, finalBakeSeconds: 0 },
      metrics: { publicationDelaySeconds: 0 },
    });

    // Act
    const estimate = estimatePlan(input, { ttlSeconds: 0 });

    // Assess
    expect(estimate.etaSeconds).toBe(3_600);
    expect(estimate.formulas.eta).toMatch(/= 3,600 s \(1 h\)$/);
  });

  it('is the sum of its parts and grows with bakeSeconds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 86_400 }),
        fc.integer({ min: 1, max: 3_600 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (bakeSeconds, extraBakeSeconds, ttlSeconds, stepPercent) => {
          // Prepare
          const at = (bake: number) =>
            inputWith({ plan: { linear: { stepPercent }, bakeSeconds: bake } });

          // Act
          const shorter = estimatePlan(at(bakeSeconds), { ttlSeconds });
          const longer = estimatePlan(at(bakeSeconds + extraBakeSeconds), { ttlSeconds });

          // Assess
          for (const estimate of [shorter, longer]) {
            const parts = estimate.perStep.map(
              (s) =>
                s.dnsSyncSeconds +
                s.ttlSeconds +
                s.publicationDelaySeconds +
                s.periodSeconds +
                s.bakeSeconds
            );
            expect(estimate.perStep.map((s) => s.totalSeconds)).toEqual(parts);
            expect(estimate.etaSeconds).toBe(parts.reduce((a, b) => a + b, 0));
            expect(
              estimate.perStep.every((s) => s.dnsSyncSeconds === DNS_SYNC_ESTIMATE_SECONDS)
            ).toBe(true);
          }
          expect(longer.etaSeconds).toBeGreaterThan(shorter.etaSeconds);
          expect(longer.worstCaseExposureSeconds).toBe(shorter.worstCaseExposureSeconds);
        }
      )
    );
  });
});
