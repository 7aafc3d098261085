/**
 * The `traffic-shift` command line (commander): the program, its help and the order its command groups are
 * registered in. Each action returns its exit code; `main` runs the program and turns a thrown CliError (or
 * any error) into a message and an exit code.
 */
import { Command, type OutputConfiguration } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ExitCode, reportFailure } from './common.ts';
import { registerControlCommands } from './control-program.ts';
import { registerExecutionCommands, registerReportCommand } from './execution-program.ts';
import { registerGateCommands } from './gate-program.ts';
import { registerLocalCommands } from './local-program.ts';
import { ENDPOINTS, EXIT_CODES, type Run } from './program-options.ts';

/**
 * The program. `run` executes an action and records its exit code; `embed` (tests) captures output and
 * turns commander's own exits (help, usage errors) into exceptions, for every subcommand.
 */
export function buildProgram(run: Run, embed?: { output: OutputConfiguration }): Command {
  const program = new Command('traffic-shift')
    .description(
      'Moves live traffic from App Mesh (blue) to ECS Service Connect (green) with Route 53 weights, ' +
        'judged by Service Connect metrics, rolled back automatically. Start with: traffic-shift rehearse'
    )
    .version(packageJson.version, '-V, --version', 'print the version (package.json) and exit')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES);
  if (embed !== undefined) program.exitOverride().configureOutput(embed.output);

  registerLocalCommands(program, run);
  registerExecutionCommands(program, run);
  registerGateCommands(program, run, ENDPOINTS);
  registerControlCommands(program, run);
  registerReportCommand(program, run);

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
