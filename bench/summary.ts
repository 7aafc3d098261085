/**
 * The `summary` object of bench/results.json (issue 13): the headline figures, each read from the part that
 * measured it. A figure whose measurement does not exist yet is null with a `notMeasured` note, never a guess.
 */

interface DecisionRow {
  scenario: string;
  policy: string;
  falseRollbackRate: number;
}

interface FairRowInput {
  falseRollbackPct: { healthy: number; flapping: number };
  badRequests: { aligned: number; uniform: number };
  restoreMedianSeconds: number | null;
  floorRestoreMedianSeconds: number | null;
}

interface SummaryInput {
  decisionQuality?: { results: DecisionRow[] };
  fair?: {
    comparison: {
      ours: FairRowInput;
      bestReferenceAtMatchedFalseRollback: {
        aligned: { badRequests: number } | null;
        uniform: { badRequests: number } | null;
      };
    };
  };
  oracle?: {
    runs: number;
    falseRollbackLimitPct: number;
    /** At the h chosen on runs 0..runs-1, measured on runs runs..2 runs-1 (bench/oracle-curve.ts). */
    outOfSample?: {
      threshold: number;
      restoreMedianSeconds: number | null;
      floorRestoreMedianSeconds: number | null;
      falseRollbackPct: { healthy: number; flapping: number };
    } | null;
  };
  cost?: { pricing: { totalUpperUsd: number } };
  coldStart?: {
    bundles: {
      fn: string;
      bytes: number;
      initInProcessMs: { median: number };
      initCpuMs?: { median: number };
    }[];
  };
}

const OURS = 'ours (defaults)';
const FAIR_BENCH = 'needs the fair bench: run `npm run bench -- --only fair --merge`';
const ORACLE_BENCH =
  'needs the best known detector (part 1o): run `npm run bench -- --only oracle --merge`';
const BEST_KNOWN =
  'the regime-aware oracle of part 1o (exact rates; learns from blue and green whether the service flaps): the best detector we know in this world, not a proven lower bound';

const percent = (rate: number) => Math.round(rate * 100 * 100) / 100;

export function summarize(results: SummaryInput) {
  const rows = results.decisionQuality?.results ?? [];
  const falseRollback = (scenario: string) => {
    const row = rows.find((r) => r.scenario === scenario && r.policy === OURS);
    return row === undefined ? null : percent(row.falseRollbackRate);
  };
  const bundles = results.coldStart?.bundles ?? [];
  const slowest = [...bundles].sort(
    (a, b) => b.initInProcessMs.median - a.initInProcessMs.median
  )[0];
  const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0];
  const fair = results.fair?.comparison;
  const best = results.oracle?.outOfSample ?? undefined;
  const bad = (model: 'aligned' | 'uniform') => ({
    ours: fair?.ours.badRequests[model] ?? null,
    bestReferenceAtMatchedFalseRollback:
      fair?.bestReferenceAtMatchedFalseRollback[model]?.badRequests ?? null,
  });
  return {
    // From the fair bench (sticky clients, same seeds) when it ran, else from part 1.
    falseRollbackPct:
      fair === undefined
        ? { healthy: falseRollback('healthy'), flapping: falseRollback('flapping') }
        : { ...fair.ours.falseRollbackPct },
    badRequests:
      fair === undefined
        ? { aligned: bad('aligned'), uniform: bad('uniform'), notMeasured: FAIR_BENCH }
        : { aligned: bad('aligned'), uniform: bad('uniform') },
    restoreMedianSeconds: {
      ...(fair === undefined
        ? { ours: null, floor: null, notMeasured: FAIR_BENCH }
        : { ours: fair.ours.restoreMedianSeconds, floor: fair.ours.floorRestoreMedianSeconds }),
      // Part 1o's reference detector out of sample, with the floor of its own runs and its false rollbacks.
      bestKnownDetector: best?.restoreMedianSeconds ?? null,
      bestKnownDetectorFloor: best?.floorRestoreMedianSeconds ?? null,
      bestKnownDetectorFalseRollbackPct: best === undefined ? null : { ...best.falseRollbackPct },
      ...(results.oracle === undefined
        ? { bestKnownDetectorNotMeasured: ORACLE_BENCH }
        : {
            bestKnownDetectorIs: `${BEST_KNOWN}; h ${best?.threshold ?? '-'} chosen at false rollbacks <= ${results.oracle.falseRollbackLimitPct} % on runs 0..${results.oracle.runs - 1}, measured on runs ${results.oracle.runs}..${2 * results.oracle.runs - 1}`,
          }),
    },
    costPerReferenceMigrationUsd:
      results.cost === undefined
        ? null
        : Math.round(results.cost.pricing.totalUpperUsd * 10_000) / 10_000,
    /** Slowest function's median module init, in process, with the deployed NODE_OPTIONS. */
    maxInitMs: slowest === undefined ? null : slowest.initInProcessMs.median,
    maxInitFunction: slowest?.fn ?? null,
    /** The largest median CPU time of a module init: the figure least moved by a shared machine's load. */
    maxInitCpuMs:
      bundles.length === 0 ? null : Math.max(...bundles.map((b) => b.initCpuMs?.median ?? 0)),
    maxBundleKB: largest === undefined ? null : Math.round((largest.bytes / 1024) * 10) / 10,
    maxBundleFunction: largest?.fn ?? null,
  };
}
