import { describe, expect, it } from 'vitest';
import { summarize } from '../../../bench/summary.ts';

describe('bench summary', () => {
  it('reads every figure from the part that measured it', () => {
    // Prepare
    const results = {
      decisionQuality: {
        results: [
          { scenario: 'healthy', policy: 'ours (defaults)', falseRollbackRate: 0.0015 },
          { scenario: 'flapping', policy: 'ours (defaults)', falseRollbackRate: 0.002 },
          { scenario: 'flapping', policy: 'CodeDeploy-style', falseRollbackRate: 0.3 },
        ],
      },
      cost: { pricing: { totalUpperUsd: 0.029_84 } },
      coldStart: {
        bundles: [
          { fn: 'preflight', bytes: 700 * 1024, initInProcessMs: { median: 120 } },
          { fn: 'complete', bytes: 400 * 1024, initInProcessMs: { median: 130.5 } },
        ],
      },
    };

    // Act
    const summary = summarize(results);

    // Assess
    expect(summary).toMatchObject({
      falseRollbackPct: { healthy: 0.15, flapping: 0.2 },
      costPerReferenceMigrationUsd: 0.0298,
      maxInitMs: 130.5,
      maxInitFunction: 'complete',
      maxBundleKB: 700,
      maxBundleFunction: 'preflight',
    });
  });

  it('writes null with a note for what the fair bench has not measured, and for parts not run', () => {
    // Act
    const summary = summarize({});

    // Assess
    expect(summary.badRequests.aligned).toEqual({
      ours: null,
      bestReferenceAtMatchedFalseRollback: null,
    });
    expect(summary.badRequests.notMeasured).toMatch(/fair bench/);
    expect(summary.restoreMedianSeconds).toMatchObject({
      ours: null,
      floor: null,
      bestKnownDetector: null,
      bestKnownDetectorFloor: null,
      bestKnownDetectorFalseRollbackPct: null,
    });
    expect(summary.restoreMedianSeconds).toHaveProperty(
      'bestKnownDetectorNotMeasured',
      expect.stringMatching(/--only oracle/)
    );
    expect(summary.falseRollbackPct).toEqual({ healthy: null, flapping: null });
    expect(summary.costPerReferenceMigrationUsd).toBeNull();
    expect(summary.maxInitMs).toBeNull();
  });

  it('puts the best known detector out of sample beside ours and the floor, each from its part', () => {
    // Prepare
    const ours = {
      falseRollbackPct: { healthy: 0, flapping: 0 },
      badRequests: { aligned: 180, uniform: 274 },
      restoreMedianSeconds: 450.8,
      floorRestoreMedianSeconds: 284.9,
    };
    const results = {
      fair: {
        comparison: {
          ours,
          bestReferenceAtMatchedFalseRollback: { aligned: null, uniform: null },
        },
      },
      oracle: {
        runs: 4_000,
        falseRollbackLimitPct: 0.5,
        outOfSample: {
          threshold: 8.25,
          restoreMedianSeconds: 345.6,
          floorRestoreMedianSeconds: 285.1,
          falseRollbackPct: { healthy: 0.03, flapping: 0.45 },
        },
      },
    };

    // Act
    const summary = summarize(results);

    // Assess
    expect(summary.restoreMedianSeconds).toEqual({
      ours: 450.8,
      floor: 284.9,
      bestKnownDetector: 345.6,
      bestKnownDetectorFloor: 285.1,
      bestKnownDetectorFalseRollbackPct: { healthy: 0.03, flapping: 0.45 },
      bestKnownDetectorIs: expect.stringMatching(
        /not a proven lower bound; h 8.25 chosen at false rollbacks <= 0.5 % on runs 0..3999, measured on runs 4000..7999/
      ),
    });
  });

  it('writes a null detector when no threshold met the false-rollback limit', () => {
    // Act
    const summary = summarize({
      oracle: { runs: 4_000, falseRollbackLimitPct: 0.5, outOfSample: null },
    });

    // Assess
    expect(summary.restoreMedianSeconds).toMatchObject({
      bestKnownDetector: null,
      bestKnownDetectorFalseRollbackPct: null,
    });
    expect(summary.restoreMedianSeconds).not.toHaveProperty('bestKnownDetectorNotMeasured');
  });
});
