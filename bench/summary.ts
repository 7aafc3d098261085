/**
 * The `summary` object of bench/results.json (issue 13): the headline figures, each read from the part that
 * measured it. A figure whose measurement does not exist yet is null with a `notMeasured` note, never a guess.
 */

interface DecisionRow {
  scenario: string;
  policy: string;
  falseRollbackRate: number;
}

interface SummaryInput {
  decisionQuality?: { results: DecisionRow[] };
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
const FAIR_BENCH =
  'needs the fair bench (aligned and uniform onsets, references at matched false rollbacks): not built yet';

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
  return {
    falseRollbackPct: { healthy: falseRollback('healthy'), flapping: falseRollback('flapping') },
    badRequests: {
      aligned: { ours: null, bestReferenceAtMatchedFalseRollback: null },
      uniform: { ours: null, bestReferenceAtMatchedFalseRollback: null },
      notMeasured: FAIR_BENCH,
    },
    restoreMedianSeconds: { ours: null, floor: null, notMeasured: FAIR_BENCH },
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
