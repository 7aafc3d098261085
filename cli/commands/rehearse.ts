/**
 * `traffic-shift rehearse`: the whole product on a laptop. A private moto server, a seeded hosted zone, the
 * closed-loop traffic model, the real state machine and handlers in the local interpreter on a virtual
 * clock; live progress, a summary and an HTML report. Ctrl-C stops the execution the way StopExecution
 * does, and on-execution-end restores the snapshot, as it would on AWS.
 */
import { resolve } from 'node:path';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../../functions/adapters/dynamodb-migration-registry.ts';
import { type MigrationInput, PlanSchema } from '../../functions/core/input.ts';
import { expandSteps } from '../../functions/core/plan.ts';
import { startMoto } from '../moto.ts';
import { ensureMoto, MotoSetupError, PROJECT_ROOT, systemEnvironment } from '../moto-setup.ts';
import { ProgressPrinter } from '../progress.ts';
import { clientsFor, runRehearsal } from '../rehearsal.ts';
import { writeReport } from '../report.ts';
import { renderSummary, summaryJson } from '../run-summary.ts';
import { rehearsalInput, SCENARIOS, type Scenario, type ScenarioName } from '../scenarios.ts';
import { unseedableRecords } from '../seed-input.ts';
import { useColor } from '../terminal-style.ts';
import { CliError, ExitCode, loadInput, printJson } from './common.ts';
import { interruptions } from './signals.ts';

export interface RehearseOptions {
  scenario: ScenarioName;
  /** Your own migration input: the zone is seeded from its records, the scenario says what green does. */
  input?: string;
  abortAtStep?: number;
  report?: string;
  json: boolean;
  seed?: number;
  /** Real milliseconds per virtual second of waiting. */
  pace: number;
  /** The migration registry table in moto's DynamoDB (default traffic-shift-migrations). */
  registryTable?: string;
}

/** The plan's green percents: the input's, or the scenario's (the defaults but for the steps). */
function plannedSteps(scenario: Scenario, input: MigrationInput | undefined): number[] {
  if (input !== undefined) return expandSteps(input.plan);
  return expandSteps(PlanSchema.parse(rehearsalInput(scenario, []).plan));
}

/**
 * Everything checked before moto starts: the input file, that its records can be seeded, and that
 * `--abort-at-step` names a step of the plan (a step past the end would silently complete).
 *
 * @throws CliError with ExitCode.InvalidInput.
 */
function checkOptions(
  options: RehearseOptions,
  scenario: Scenario
): { input: MigrationInput; source: string } | undefined {
  const loaded = options.input === undefined ? undefined : loadInput(options.input);
  if (loaded !== undefined) {
    const issues = unseedableRecords(loaded.input);
    if (issues.length > 0)
      throw new CliError(
        `cannot rehearse ${loaded.path}:\n${issues.map((issue) => `  ${issue.path}: ${issue.rule}`).join('\n')}`,
        ExitCode.InvalidInput,
        { issues }
      );
  }
  const steps = plannedSteps(scenario, loaded?.input);
  if (options.abortAtStep !== undefined && options.abortAtStep >= steps.length) {
    throw new CliError(
      `--abort-at-step ${options.abortAtStep}: the plan has ${steps.length} steps (${steps.map((step) => `${step}%`).join(', ')}), indexes 0-${steps.length - 1}; the run would complete without the stop`,
      ExitCode.InvalidInput,
      { issues: [{ path: '--abort-at-step', rule: `must be <= ${steps.length - 1}` }] }
    );
  }
  return loaded === undefined ? undefined : { input: loaded.input, source: loaded.path };
}

export async function rehearse(options: RehearseOptions): Promise<number> {
  const scenario = SCENARIOS[options.scenario];
  const own = checkOptions(options, scenario);
  const reportPath =
    options.report ??
    (own === undefined
      ? `reports/rehearsal-${scenario.name}.html`
      : `reports/rehearsal-${own.input.migrationId}-${scenario.name}.html`);
  // With --json, stdout carries only the JSON summary; the progress goes to stderr.
  const stream = options.json ? process.stderr : process.stdout;
  const printer = new ProgressPrinter(stream);
  const color = useColor(stream);
  const stop = new AbortController();
  const signals = interruptions({
    onFirst: (signal) => {
      printer.note(
        `${signal}: stopping the execution (StopExecution); on-execution-end restores the snapshot. Ctrl-C again to quit at once.`
      );
      stop.abort();
    },
  });
  const began = Date.now();
  let moto: Awaited<ReturnType<typeof startMoto>> | undefined;
  try {
    const python = await ensureMoto(systemEnvironment, PROJECT_ROOT, (message) =>
      printer.note(message)
    ).catch((error: unknown) => {
      throw error instanceof MotoSetupError ? new CliError(error.message, ExitCode.Error) : error;
    });
    moto = await startMoto({ handleSignals: false, detached: true, python });
    signals.onForce(() => moto?.stop());
    printer.note(
      own === undefined
        ? `moto_server on ${moto.endpoint}: hosted zone example.com with api (alias to two load balancers) and www (A, TTL 60), 100 % blue`
        : `moto_server on ${moto.endpoint}: seeding ${own.input.records.length} record pair(s) from ${own.source}, 100 % blue`
    );
    const table = options.registryTable ?? DEFAULT_REGISTRY_TABLE;
    if (
      await new DynamoDbMigrationRegistry(
        clientsFor(moto.endpoint).dynamodb,
        table
      ).createTableIfMissing()
    )
      printer.note(`migration registry table ${table} created in moto's DynamoDB`);
    const report = await runRehearsal({
      registryTable: table,
      scenario,
      ...(own === undefined ? {} : { input: own }),
      endpoint: moto.endpoint,
      realMsPerVirtualSecond: options.pace,
      onProgress: (event) => printer.handle(event),
      signal: stop.signal,
      ...(options.abortAtStep === undefined ? {} : { abortAtStep: options.abortAtStep }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    printer.finish();
    report.clock = 'virtual';
    const written = writeReport(report, reportPath);
    const realMs = Date.now() - began;
    if (options.json) {
      printJson(
        summaryJson(report, {
          command: 'rehearse',
          scenario: scenario.name,
          realMs,
          report: resolve(written),
        })
      );
    } else {
      process.stdout.write(
        renderSummary(report, { reportPath: written, realMs, color, virtualTime: true })
      );
      process.stdout.write(`\n  open ${written} in a browser for the chart\n`);
    }
    return report.exitCode;
  } catch (error) {
    printer.finish();
    throw error;
  } finally {
    signals.dispose();
    await moto?.stop();
  }
}

export { ExitCode };
