/**
 * Which tests `npm run mutation` runs against the mutants of each core file. Stryker's command runner starts one
 * vitest per mutant, so each file gets only the tests that exercise it: a test file that is missing here lets
 * mutants survive, one that is not needed only costs time. Every file in functions/core must have an entry
 * (test/unit/tooling/mutation-targets.test.ts and the script both check), so a new core file is never skipped.
 */
import { existsSync, readdirSync } from 'node:fs';

export const CORE_DIR = 'functions/core';

const core = (name: string): string => `test/unit/core/${name}.test.ts`;

/** Every test that calls `evaluate` (verdict.ts and the files it is split into). */
const VERDICT_TESTS = [
  core('verdict'),
  core('verdict.mutation'),
  core('late-publication'),
  core('metric-statistics'),
  core('cloudwatch-rules'),
  core('sequential-check'),
];

/**
 * Core file -> the test files that exercise it. An empty list is allowed only for a file without unit tests yet;
 * it is reported with no score and fails `--min`.
 */
// The input schema is split by part (input-*.ts) and reached only through parseMigrationInput.
const INPUT_TESTS = [
  core('input'),
  core('step-bakes'),
  core('step-hooks'),
  core('input.mutation'),
  core('plan'),
  core('schema-file'),
  core('cloudwatch-rules'),
];

export const TESTS_BY_CORE_FILE: Readonly<Record<string, readonly string[]>> = {
  // baseline, checks and measure are reached only through verdict.ts's evaluate.
  'alarm-verdicts.ts': [core('source-judge'), core('source-edges')],
  'blue-drained.ts': [core('blue-drained')],
  'baseline.ts': [...VERDICT_TESTS, core('baseline.mutation')],
  'custom-verdicts.ts': [core('source-judge'), core('source-edges')],
  'edge-discovery.ts': [core('edge-discovery'), core('source-edges')],
  'edge-verdicts.ts': [core('edge-verdicts'), core('source-judge'), core('source-edges')],
  'input-sources.ts': [...INPUT_TESTS, core('edge-discovery'), core('source-edges')],
  'source-judge.ts': [core('source-judge'), core('edge-verdicts'), core('source-edges')],
  'sources.ts': [
    core('source-judge'),
    core('edge-verdicts'),
    core('edge-discovery'),
    core('source-edges'),
  ],
  'cadence.ts': [core('cadence'), core('cadence-loop')],
  'cadence-fold.ts': [core('cadence'), core('cadence-loop')],
  'cadence-reach.ts': [core('cadence-reach'), core('cadence'), core('cadence-loop')],
  'checks.ts': [...VERDICT_TESTS, core('checks.mutation')],
  'control.ts': [core('control')],
  'step-hooks.ts': [core('step-hooks'), core('run')],
  'decide.ts': [core('decide'), core('late-publication'), core('run'), core('cloudwatch-rules')],
  // Reached directly, through parseMigrationInput (overlapping targets) and through evaluate (scope names).
  'discovery-target.ts': [core('cloudwatch-rules'), core('input'), core('verdict')],
  'errors.ts': [core('errors'), core('input')],
  'history.ts': [core('history'), core('run')],
  'index.ts': [core('imports')],
  'input.ts': INPUT_TESTS,
  'input-fields.ts': INPUT_TESTS,
  'input-issues.ts': [...INPUT_TESTS, core('key-suggestion')],
  // Verdict and Action are the only values; the rest is types.
  'evaluation-types.ts': [core('decide'), core('verdict'), core('run')],
  'gates.ts': [core('gates'), core('run')],
  'input-gates.ts': [...INPUT_TESTS, core('gates')],
  'input-limits.ts': INPUT_TESTS,
  'input-metrics.ts': INPUT_TESTS,
  'input-plan.ts': INPUT_TESTS,
  'input-hooks.ts': INPUT_TESTS,
  'input-zod.ts': INPUT_TESTS,
  // The continuation's schema is reached only through Preflight's handler (a `resume` input).
  'resume-input.ts': [
    'test/unit/handlers/handlers.test.ts',
    'test/unit/handlers/preflight-scoping.test.ts',
    'test/unit/handlers/preflight-sources.test.ts',
  ],
  'key-suggestion.ts': [core('key-suggestion'), core('input')],
  'measure.ts': [...VERDICT_TESTS, core('measure.mutation')],
  'metric-statistics.ts': [core('metric-statistics')],
  'names.ts': [
    core('names'),
    core('names.mutation'),
    core('weights'),
    core('record-checks'),
    core('ownership'),
  ],
  'plan.ts': [core('plan'), core('plan.mutation'), core('decide'), core('run'), core('step-bakes')],
  'publication.ts': [core('publication'), core('run')],
  'ownership.ts': [core('ownership'), core('ownership.mutation')],
  'reading-slice.ts': ['test/unit/adapters/service-connect-slices.test.ts', core('cadence-loop')],
  'record-checks.ts': [core('record-checks'), core('record-checks.mutation')],
  // Constants only: the names the recovery paths share and the phases the registry stores.
  // Types only.
  'record-types.ts': [core('weights'), core('record-checks')],
  'recovery.ts': [core('ownership'), core('registry')],
  'registry.ts': [core('ownership'), core('registry')],
  'run-end.ts': [core('run'), core('run.mutation')],
  'run.ts': [
    core('run'),
    core('run.mutation'),
    core('effective-ttl'),
    core('cadence-loop'),
    core('step-hooks'),
    core('publication-learning'),
    core('gates'),
  ],
  'state.ts': [core('run')],
  // Types only.
  'sample-types.ts': [core('verdict'), core('window')],
  // Types only.
  'shift-status.ts': [core('run')],
  'sequential.ts': [core('sequential'), core('sequential-check')],
  'sequential-check.ts': [core('sequential-check'), core('verdict')],
  'stats.ts': [core('stats'), core('stats.mutation'), core('verdict')],
  // Re-exports only: the shared types, split by domain into the four files below.
  'types.ts': [core('decide'), core('verdict'), core('run')],
  'verdict.ts': VERDICT_TESTS,
  'weights.ts': [
    core('weights'),
    core('weights.mutation'),
    core('run'),
    core('record-checks'),
    core('ownership'),
  ],
  'window.ts': [
    core('window'),
    core('window.mutation'),
    core('late-publication'),
    core('cloudwatch-rules'),
  ],
};

/**
 * What is wrong with the table: core files without an entry, entries naming no core file, test files that do not
 * exist. All three must be empty.
 */
export function tableProblems(
  coreFiles: readonly string[] = listCoreFiles(),
  exists: (path: string) => boolean = existsSync
): { missing: string[]; stale: string[]; absentTests: string[] } {
  const mapped = Object.keys(TESTS_BY_CORE_FILE);
  return {
    missing: coreFiles.filter((file) => !mapped.includes(file)),
    stale: mapped.filter((file) => !coreFiles.includes(file)),
    absentTests: [...new Set(Object.values(TESTS_BY_CORE_FILE).flat())].filter(
      (test) => !exists(test)
    ),
  };
}

export function listCoreFiles(): string[] {
  return readdirSync(CORE_DIR)
    .filter((file) => file.endsWith('.ts'))
    .sort();
}
