/**
 * `npm run mutation`: Stryker over functions/core, one run per core file, each with only the tests that exercise
 * that file (scripts/mutation-targets.ts). Stryker's vitest runner finds no tests with vitest 5, so this uses its
 * command runner: one vitest process per mutant, which is why the test set per file matters.
 *
 *   npm run mutation                       every core file, fails if any scores below 95 %
 *   npm run mutation -- window.ts verdict.ts   only those files
 *   npm run mutation -- --min 90 --force --concurrency 1
 *
 * Incremental: results are kept in reports/mutation/<file>.incremental.json. The command runner reports no
 * per-test coverage, so Stryker would reuse every old result; this script therefore drops survivors
 * before each run (they are always tested again), and drops the whole file's results when one of its test files
 * changed or disappeared (a killed mutant may survive a weaker test). `--force` re-tests everything.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LogLevel } from '@stryker-mutator/api/core';
import { Stryker } from '@stryker-mutator/core';
import { CORE_DIR, listCoreFiles, TESTS_BY_CORE_FILE, tableProblems } from './mutation-targets.ts';

const REPORT_DIR = 'reports/mutation';
/** Files every core test loads besides its own: a change there may change what the tests detect. */
const SHARED_TEST_FILES = ['test/setup.ts', 'test/unit/core/fixtures.ts', 'vitest.config.ts'];

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    min: { type: 'string', default: '95' },
    concurrency: { type: 'string', default: '2' },
    force: { type: 'boolean', default: false },
  },
});
const minScore = Number(flags.min);
// The machine is shared: more than two vitest processes at once only makes timeouts flaky.
const concurrency = Math.min(2, Math.max(1, Number(flags.concurrency)));

const problems = tableProblems();
if (problems.missing.length + problems.stale.length + problems.absentTests.length > 0) {
  console.error('scripts/mutation-targets.ts is out of date:', problems);
  process.exit(2);
}
const selected =
  positionals.length > 0 ? positionals.map((file) => basename(file)) : listCoreFiles();
const unknown = selected.filter((file) => !(file in TESTS_BY_CORE_FILE));
if (unknown.length > 0) {
  console.error(`Not core files: ${unknown.join(', ')}`);
  process.exit(2);
}

interface FileScore {
  file: string;
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  errors: number;
  /** Excluded by a `// Stryker disable` comment (an equivalent mutant, with the reason next to it). */
  ignored: number;
  /** Detected / (detected + undetected), in percent; null when there is nothing to score. */
  score: number | null;
  survivors: string[];
  /** Why the file has no score although it may have mutants. */
  problem?: string;
}

mkdirSync(REPORT_DIR, { recursive: true });
const scores: FileScore[] = [];
for (const file of selected) {
  const tests = TESTS_BY_CORE_FILE[file] ?? [];
  if (tests.length === 0) {
    scores.push({ ...emptyScore(file), problem: 'no test files mapped' });
    continue;
  }
  console.log(`\n== ${file}: ${tests.length} test file(s)`);
  scores.push(await mutateFile(file, tests));
}
printTable(scores);
writeFileSync(join(REPORT_DIR, 'summary.json'), `${JSON.stringify(scores, null, 2)}\n`);

// A file without mutants (types and interfaces only) has nothing to score; one that was never tested fails.
const below = scores.filter(
  (s) => s.problem !== undefined || (s.score !== null && s.score < minScore)
);
for (const s of scores.filter((s) => s.survivors.length > 0 || s.problem !== undefined)) {
  console.log(`\n${s.file}:`);
  if (s.problem !== undefined) console.log(`  ${s.problem}`);
  for (const line of s.survivors) console.log(`  ${line}`);
}
if (below.length > 0) {
  console.error(`\nBelow ${minScore} % or without tests: ${below.map((s) => s.file).join(', ')}`);
  process.exit(1);
}

async function mutateFile(file: string, tests: readonly string[]): Promise<FileScore> {
  const name = basename(file, '.ts');
  const incrementalFile = join(REPORT_DIR, `${name}.incremental.json`);
  prepareIncremental(incrementalFile, join(REPORT_DIR, `${name}.tests.json`), tests);
  const command = [
    // The driver's own Node (24 through npm). The sandbox lies inside the worktree (.tmp/stryker), so the tests'
    // imports resolve to the worktree's node_modules by walking up; Stryker does not link a symlinked node_modules.
    JSON.stringify(process.execPath),
    JSON.stringify(resolve('node_modules/vitest/vitest.mjs')),
    'run',
    ...tests,
    '--pool=threads',
    '--no-coverage',
    '--reporter=dot',
    '--bail=1',
  ].join(' ');
  const stryker = new Stryker({
    testRunner: 'command',
    commandRunner: { command },
    mutate: [`${CORE_DIR}/${file}`],
    concurrency,
    incremental: true,
    incrementalFile,
    force: flags.force,
    reporters: ['json', 'progress'],
    jsonReporter: { fileName: join(REPORT_DIR, `${name}.json`) },
    tempDirName: '.tmp/stryker',
    symlinkNodeModules: false,
    cleanTempDir: 'always',
    // Only what the core tests load goes into the sandbox.
    ignorePatterns: [
      '/*',
      '!/functions',
      '!/test',
      // schema-file.test.ts compares the committed schema and validates the examples.
      '!/schema',
      '!/examples',
      '!/package.json',
      '!/tsconfig.json',
      '!/vitest.config.ts',
    ],
    // One vitest start takes 1-3 s on a loaded 2-core machine; a slow start is not an infinite loop.
    timeoutMS: 20_000,
    logLevel: 'warn' as LogLevel,
    fileLogLevel: 'off' as LogLevel,
    allowEmpty: true,
  });
  let results: Awaited<ReturnType<Stryker['runMutationTest']>>;
  try {
    results = await stryker.runMutationTest();
  } catch (error) {
    // Most often the tests fail without any mutant (the dry run): no score, and the other files still run.
    return { ...emptyScore(file), problem: `Stryker failed: ${(error as Error).message}` };
  }

  const count = (status: string): number => results.filter((r) => r.status === status).length;
  const killed = count('Killed');
  const survived = count('Survived');
  const timeout = count('Timeout');
  const noCoverage = count('NoCoverage');
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  return {
    file,
    mutants: results.length,
    killed,
    survived,
    timeout,
    noCoverage,
    errors: count('RuntimeError') + count('CompileError'),
    ignored: count('Ignored'),
    score: valid === 0 ? null : (100 * detected) / valid,
    survivors: results
      .filter((r) => r.status === 'Survived' || r.status === 'NoCoverage')
      .map(
        (r) =>
          `${r.status} ${file}:${r.location.start.line}:${r.location.start.column + 1} ${r.mutatorName}: ${oneLine(r.replacement ?? '')}`
      ),
  };
}

/**
 * Keeps only the killed and timed-out results of an earlier run, and none when a test file this core file is judged by changed.
 */
function prepareIncremental(
  incrementalFile: string,
  hashFile: string,
  tests: readonly string[]
): void {
  const hashes = Object.fromEntries(
    [...tests, ...SHARED_TEST_FILES].map((path) => [
      path,
      createHash('sha256').update(readFileSync(path)).digest('hex'),
    ])
  );
  const previous: Record<string, string> = existsSync(hashFile)
    ? JSON.parse(readFileSync(hashFile, 'utf8'))
    : {};
  writeFileSync(hashFile, `${JSON.stringify(hashes, null, 2)}\n`);
  if (!existsSync(incrementalFile)) return;
  const weakened = Object.entries(previous).some(([path, hash]) => hashes[path] !== hash);
  if (weakened) {
    rmSync(incrementalFile);
    return;
  }
  const report = JSON.parse(readFileSync(incrementalFile, 'utf8')) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  for (const entry of Object.values(report.files)) {
    // A timeout is an endless loop (or a very slow run): re-testing it costs the whole timeout again.
    entry.mutants = entry.mutants.filter(
      (mutant) => mutant.status === 'Killed' || mutant.status === 'Timeout'
    );
  }
  writeFileSync(incrementalFile, JSON.stringify(report));
}

function emptyScore(file: string): FileScore {
  return {
    file,
    mutants: 0,
    killed: 0,
    survived: 0,
    timeout: 0,
    noCoverage: 0,
    errors: 0,
    ignored: 0,
    score: null,
    survivors: [],
  };
}

function printTable(rows: readonly FileScore[]): void {
  const total = emptyScore('total');
  for (const r of rows) {
    total.mutants += r.mutants;
    total.killed += r.killed;
    total.survived += r.survived;
    total.timeout += r.timeout;
    total.noCoverage += r.noCoverage;
    total.errors += r.errors;
    total.ignored += r.ignored;
  }
  const totalValid = total.killed + total.timeout + total.survived + total.noCoverage;
  total.score = totalValid === 0 ? null : (100 * (total.killed + total.timeout)) / totalValid;
  const header = [
    'file',
    'mutants',
    'killed',
    'survived',
    'timeout',
    'no-cov',
    'errors',
    'ignored',
    'score',
  ];
  const line = (r: FileScore): string[] => [
    r.file,
    String(r.mutants),
    String(r.killed),
    String(r.survived),
    String(r.timeout),
    String(r.noCoverage),
    String(r.errors),
    String(r.ignored),
    r.problem !== undefined ? 'none' : r.score === null ? 'n/a' : `${r.score.toFixed(2)} %`,
  ];
  const table = [header, ...rows.map(line), line(total)];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  console.log('');
  table.forEach((row, index) => {
    console.log(
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
    );
    if (index === 0 || index === table.length - 2)
      console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
