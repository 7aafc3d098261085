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
    bound: {
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
const ORACLE_BENCH = 'needs the oracle bound: run `npm run bench -- --only oracle --merge`';

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
  const oracleBound = results.oracle?.bound ?? undefined;
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
      // The oracle's restore median at the smallest threshold with false rollbacks <= 0.5 % (part 1o), with
      // the floor of its own runs and its false rollbacks: what no detector knowing no more can beat.
      oracleBound: oracleBound?.restoreMedianSeconds ?? null,
      oracleBoundFloor: oracleBound?.floorRestoreMedianSeconds ?? null,
      oracleBoundFalseRollbackPct:
        oracleBound === undefined ? null : { ...oracleBound.falseRollbackPct },
      ...(results.oracle === undefined ? { oracleNotMeasured: ORACLE_BENCH } : {}),
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
