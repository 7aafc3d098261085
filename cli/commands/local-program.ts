/**
 * The local commands (rehearse, run-local, plan) as commander definitions, registered by program.ts with one
 * call. Their actions live in rehearse.ts, run-local.ts and plan.ts.
 */
import { type Command, Option } from 'commander';
import { SCENARIO_NAMES, SCENARIOS } from '../scenarios.ts';
import { CliError, ExitCode } from './common.ts';
import {
  ENDPOINTS,
  EXIT_CODES,
  integer,
  nonNegative,
  type Run,
  timeScale,
} from './program-options.ts';
import type { RehearseOptions } from './rehearse.ts';

/** `run-local FILE` or `run-local --input FILE` (as `plan` and `start` take it, or as it used to be). */
function inputFileOf(positional: string | undefined, option: string | undefined): string {
  if (positional !== undefined && option !== undefined && positional !== option)
    throw new CliError(
      `two inputs given (${positional} and --input ${option}): name one`,
      ExitCode.InvalidInput
    );
  const file = positional ?? option;
  if (file === undefined)
    throw new CliError('no input: run-local FILE (or --input FILE)', ExitCode.InvalidInput);
  return file;
}

/** Real ms per virtual second of waiting by default: a healthy rehearsal (~50 virtual minutes) takes about 20 s. */
export const DEFAULT_PACE_MS = 5;

export function registerLocalCommands(program: Command, run: Run): void {
  program
    .command('rehearse')
    .description(
      'rehearse a whole migration locally: moto, a seeded hosted zone, a traffic model, the real state machine and handlers, time compressed'
    )
    .addOption(
      new Option('--scenario <name>', 'what green does').choices(SCENARIO_NAMES).default('healthy')
    )
    .option(
      '--input <file>',
      'rehearse your own migration input: the zone is seeded from its records, its plan, thresholds and limits apply, --scenario says what green does'
    )
    .option(
      '--abort-at-step <n>',
      'stop the execution during the bake of this step index (0-based)',
      integer('--abort-at-step')
    )
    .option('--report <file>', 'HTML report path (default reports/rehearsal-<scenario>.html)')
    .option('--json', 'print a JSON summary on stdout (progress goes to stderr)', false)
    .option('--seed <n>', 'traffic noise seed', integer('--seed'))
    .option(
      '--pace <ms>',
      'real milliseconds per virtual second of waiting (0: as fast as possible)',
      nonNegative('--pace'),
      DEFAULT_PACE_MS
    )
    .option(
      '--registry-table <name>',
      "migration registry table in moto's DynamoDB (created)",
      'traffic-shift-migrations'
    )
    .addHelpText(
      'after',
      `\nScenarios:\n${SCENARIO_NAMES.map((name) => `  ${name.padEnd(20)}${SCENARIOS[name].description}`).join('\n')}\n\nCtrl-C (or SIGTERM, SIGHUP) stops the execution like StopExecution; on-execution-end restores the snapshot (exit code 3).\n${EXIT_CODES}`
    )
    .action(async (options: RehearseOptions) => {
      await run(async () => {
        const { rehearse } = await import('./rehearse.ts');
        return rehearse(options);
      }, options.json);
    });

  program
    .command('run-local')
    .description(
      "run your own migration input with the local engine (the rehearsal's interpreter) against the endpoints the environment names"
    )
    .argument('[file]', 'migration input (JSON; see schema/migration-input.schema.json)')
    .option('--input <file>', 'the same, as an option')
    .option(
      '--yes',
      'against a real account (no endpoint variables): do not ask before writing',
      false
    )
    .option(
      '--time-scale <n>',
      'virtual seconds per real second for waits (1: real time; max: no waiting)',
      timeScale,
      1 as number | 'max'
    )
    .option('--report <file>', 'HTML report path (default reports/run-<migrationId>.html)')
    .option('--region <region>', 'AWS region for CloudWatch (default: the SDK chain)')
    .option(
      '--registry-table <name>',
      'migration registry table (DynamoDB; created when missing)',
      'traffic-shift-migrations'
    )
    .option('--json', 'print a JSON summary on stdout (progress goes to stderr)', false)
    .addHelpText(
      'after',
      `\nThe input is validated before any AWS call. Against a real account use --time-scale 1: CloudWatch only has\nmetrics up to now. Preflight takes the records' locks in the registry table: a run on records another\nunfinished migration owns is refused before any write. Name a deployed stack's table to share its locks.\nCtrl-C or SIGTERM aborts and restores (exit 3); after kill -9: traffic-shift rollback <migrationId>.\n${ENDPOINTS}\n${EXIT_CODES}`
    )
    .action(
      async (
        file: string | undefined,
        options: {
          input?: string;
          yes: boolean;
          timeScale: number | 'max';
          report?: string;
          region?: string;
          registryTable: string;
          json: boolean;
        }
      ) => {
        await run(async () => {
          const input = inputFileOf(file, options.input);
          const { runLocal } = await import('./run-local.ts');
          return runLocal({ ...options, input });
        }, options.json);
      }
    );

  program
    .command('plan')
    .description('validate an input and print its steps, ETA and worst-case exposure (no AWS call)')
    .argument('<file>', 'migration input (JSON)')
    .option('--ttl <seconds>', 'record TTL assumed for the estimate', integer('--ttl'), 60)
    .option('--json', 'print JSON', false)
    .action(async (file: string, options: { ttl: number; json: boolean }) => {
      await run(async () => {
        const { plan } = await import('./plan.ts');
        return plan({ file, ...options });
      }, options.json);
    });
}
