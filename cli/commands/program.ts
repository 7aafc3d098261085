/**
 * The `traffic-shift` command line (commander). Each action returns its exit code; `main` runs the
 * program and turns a thrown CliError (or any error) into a message and an exit code.
 */
import { Command, InvalidArgumentError, Option, type OutputConfiguration } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { SCENARIO_NAMES, SCENARIOS, type ScenarioName } from '../scenarios.ts';
import { CliError, ExitCode, reportFailure } from './common.ts';
import { registerControlCommands } from './control-program.ts';
import { registerGateCommands } from './gate-program.ts';

const EXIT_CODES = `
Exit codes:
  0  completed (or the command did what it was asked)
  1  error (AWS call failed, execution not found, execution failed for another reason)
  2  rolled back
  3  aborted (Ctrl-C, SIGTERM, SIGHUP, --abort-at-step, abort)
  4  invalid input (the offending fields are named; nothing was started)
  5  stopped on drift
  6  rollback: the migration is finished and its records are not at its snapshot (nothing was changed)
  7  refused by preflight (records owned by another unfinished migration, or not as the run needs them; nothing was written)
  8  unknown migration or execution (pause, resume, promote, approve, reject, status, abort)
  9  the migration is finished: nothing to pause, resume, promote, approve, reject or abort
  10 approve/reject: no open approval gate (or already answered)`;

const ENDPOINTS = `
Endpoints and credentials come from the AWS SDK's default chain: AWS_REGION / AWS_PROFILE, and the
standard endpoint variables (AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL_CLOUDWATCH,
AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL). None set: the real account.`;

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

function integer(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}.`);
    return parsed;
  };
}

function nonNegative(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${name} must be a number >= 0.`);
    return parsed;
  };
}

function timeScale(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a number > 0, or max.');
  return parsed;
}

/**
 * The program. `run` executes an action and records its exit code; `embed` (tests) captures output and
 * turns commander's own exits (help, usage errors) into exceptions, for every subcommand.
 */
export function buildProgram(
  run: (action: () => Promise<number> | number, json: boolean) => Promise<void>,
  embed?: { output: OutputConfiguration }
): Command {
  const program = new Command('traffic-shift')
    .description(
      'Moves live traffic from App Mesh (blue) to ECS Service Connect (green) with Route 53 weights, ' +
        'judged by Service Connect metrics, rolled back automatically. Start with: traffic-shift rehearse'
    )
    .version(packageJson.version, '-V, --version', 'print the version (package.json) and exit')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES);
  if (embed !== undefined) program.exitOverride().configureOutput(embed.output);

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
    .action(
      async (options: {
        scenario: ScenarioName;
        input?: string;
        abortAtStep?: number;
        report?: string;
        json: boolean;
        seed?: number;
        pace: number;
        registryTable: string;
      }) => {
        await run(async () => {
          const { rehearse } = await import('./rehearse.ts');
          return rehearse(options);
        }, options.json);
      }
    );

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

  const stateMachineHelp =
    '\nThe state machine: --state-machine-arn (the stack output StateMachineArn), or --stack NAME with --account ID;\n' +
    'the template names it <stack>-traffic-shift. (The CLI carries no CloudFormation or STS client.)\n';

  program
    .command('start')
    .description(
      'validate an input and start it on the deployed state machine; prints the execution ARN and console link'
    )
    .argument('<file>', 'migration input (JSON)')
    .option('--state-machine-arn <arn>', 'the state machine (stack output StateMachineArn)')
    .option(
      '--stack <name>',
      'the stack name; the state machine is <stack>-traffic-shift (needs --account)'
    )
    .option('--account <id>', 'AWS account ID, with --stack')
    .option('--region <region>', 'AWS region (default: the ARN, else the SDK chain)')
    .option('--name <name>', 'execution name (default: <migrationId>-<UTC timestamp>)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', `${stateMachineHelp}${ENDPOINTS}`)
    .action(
      async (
        file: string,
        options: {
          stateMachineArn?: string;
          stack?: string;
          account?: string;
          region?: string;
          name?: string;
          json: boolean;
        }
      ) => {
        await run(async () => {
          const { start } = await import('./start.ts');
          return start({ file, ...options });
        }, options.json);
      }
    );

  program
    .command('status')
    .description(
      'progress, current weights and last verdict of a deployed migration (its current generation)'
    )
    .argument('<migration>', 'the migrationId, or the execution ARN of any generation')
    .option(
      '--watch [seconds]',
      'poll until the migration ends (default every 10 s), following continuations; the exit code is then its outcome',
      integer('--watch', 1)
    )
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--registry-table <name>', 'registry table, to find a migrationId (DynamoDB)')
    .option('--json', 'print JSON (with --watch: one line per poll)', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: { watch?: number | true; region?: string; registryTable?: string; json: boolean }
      ) => {
        await run(async () => {
          const { status } = await import('./status.ts');
          const { watch, ...rest } = options;
          return status({
            executionArn: arn,
            ...rest,
            ...(watch === undefined ? {} : { watch: watch === true ? 10 : watch }),
          });
        }, options.json);
      }
    );

  program
    .command('abort')
    .description(
      'stop a deployed execution; on-execution-end restores the snapshot unless --keep-weights'
    )
    .argument(
      '<migration>',
      'the migrationId, or the execution ARN of any generation (the current one is stopped)'
    )
    .option(
      '--keep-weights',
      'stop with error KeepWeights: on-execution-end leaves the current weights',
      false
    )
    .option('--reason <text>', 'the StopExecution cause')
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--registry-table <name>', 'registry table, to find a migrationId (DynamoDB)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: {
          keepWeights: boolean;
          reason?: string;
          region?: string;
          registryTable?: string;
          json: boolean;
        }
      ) => {
        await run(async () => {
          const { abort } = await import('./abort.ts');
          return abort({ executionArn: arn, ...options });
        }, options.json);
      }
    );

  program
    .command('rollback')
    .description(
      'restore the snapshot the migration registry holds for a migration (stopping its run first), verify, finish it'
    )
    .argument(
      '<migration>',
      "the migration (its input's migrationId), or any generation's execution ARN"
    )
    .option(
      '--registry-table <name>',
      'migration registry table (DynamoDB)',
      'traffic-shift-migrations'
    )
    .option('--region <region>', 'AWS region (default: the SDK chain)')
    .option(
      '--wait <seconds>',
      'how long to wait for a running owner to stop',
      integer('--wait', 1),
      120
    )
    .option('--json', 'print JSON', false)
    .addHelpText(
      'after',
      `
Works for a deployed execution (StopExecution with error OperatorRollback first), a run-local or rehearse
still running on this host (SIGTERM: it aborts and restores itself; waited for), and one that was killed
(kill -9): the command takes the migration over, restores the snapshot, reads the records back and marks the
migration restored. A finished migration is only reported: exit 0 if its records are at its snapshot, 6 if
not. An unknown migration id: exit 4.
${ENDPOINTS}`
    )
    .action(
      async (
        migrationId: string,
        options: { registryTable: string; region?: string; wait: number; json: boolean }
      ) => {
        await run(async () => {
          const { rollback } = await import('./rollback.ts');
          const { wait, ...rest } = options;
          return rollback({ migrationId, waitSeconds: wait, ...rest });
        }, options.json);
      }
    );

  registerGateCommands(program, run, ENDPOINTS);
  registerControlCommands(program, run);

  program
    .command('report')
    .description(
      'the HTML report of a deployed execution, rebuilt from its history (continuations followed)'
    )
    .argument('<arn>', 'execution ARN')
    .option('--out <file>', 'HTML report path (default reports/<execution name>.html)')
    .option(
      '--read-weights',
      "read the records' current weights from Route 53 for the end state",
      false
    )
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--json', 'print a JSON summary', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: { out?: string; readWeights: boolean; region?: string; json: boolean }
      ) => {
        await run(async () => {
          const { reportExecution } = await import('./report-execution.ts');
          return reportExecution({ executionArn: arn, ...options });
        }, options.json);
      }
    );

  return program;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.Completed;
  const program = buildProgram(async (action, json) => {
    try {
      exitCode = await action();
    } catch (error) {
      exitCode = reportFailure(error, json);
    }
  });
  await program.parseAsync([...argv]);
  return exitCode;
}
