/**
 * `traffic-shift run-local --input FILE`: the rehearsal's engine (real ASL, real handlers, local
 * interpreter) on a user's own plan, against whatever AWS endpoints the environment names. The SDK reads
 * the standard variables itself (AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL);
 * with none it talks to the real account through the default credential chain.
 *
 * The input is validated before any AWS call. Preflight takes the records' locks in the migration registry
 * (`--registry-table`, DynamoDB at AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL): a run on records another
 * unfinished migration owns is refused before any write. Ctrl-C or SIGTERM stops the execution and
 * on-execution-end restores; after a `kill -9`, `traffic-shift rollback <migrationId>` does.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { gatePrompt } from '../gate-prompt.ts';
import { lambdaInvoker } from '../lambda-invoker.ts';
import { type ExecutionEnd, LocalEngine, VirtualClock } from '../local-engine.ts';
import { ProgressPrinter } from '../progress.ts';
import { type RunReport, runReportOf, TimelineRecorder } from '../rehearsal.ts';
import { writeReport } from '../report.ts';
import { renderSummary, summaryJson } from '../run-summary.ts';
import { useColor } from '../terminal-style.ts';
import { CliError, ExitCode, executionName, loadInput, printJson, regionOf } from './common.ts';
import { ensureRegistryTable, registryTable } from './registry-table.ts';
import { interruptions } from './signals.ts';

export interface RunLocalOptions {
  input: string;
  /** Confirmed: do not ask before writing to a real account. */
  yes?: boolean;
  /** Virtual seconds per real second; 'max' waits not at all. */
  timeScale: number | 'max';
  report?: string;
  json: boolean;
  region?: string;
  /** The migration registry table (default traffic-shift-migrations), created when missing. */
  registryTable?: string;
}

export function parseTimeScale(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`--time-scale must be a number > 0 or max (got ${value})`);
  return scale;
}

/**
 * Whether the run would write to a real account: no endpoint variable redirects Route 53 (the SDK reads
 * AWS_ENDPOINT_URL_ROUTE_53, then AWS_ENDPOINT_URL; an endpoint in a shared config profile is not seen here).
 */
export function targetsRealAccount(env: NodeJS.ProcessEnv): boolean {
  return !env['AWS_ENDPOINT_URL_ROUTE_53'] && !env['AWS_ENDPOINT_URL'];
}

/**
 * Against a real account: `--time-scale max` is refused (CloudWatch has metrics only up to now, so every
 * evaluation after the first would be Inconclusive), and the run asks before its first write unless `--yes`.
 *
 * @throws CliError (exit 4) before any AWS call when refused or not confirmed.
 */
async function confirmRealAccount(options: RunLocalOptions, migrationId: string): Promise<void> {
  if (!targetsRealAccount(process.env)) return;
  if (options.timeScale === 'max') {
    throw new CliError(
      'run-local against a real account (no AWS_ENDPOINT_URL_ROUTE_53 or AWS_ENDPOINT_URL): --time-scale max is refused, CloudWatch only has metrics up to now; use --time-scale 1',
      ExitCode.InvalidInput,
      { issues: [{ path: '--time-scale', rule: 'must not be max against a real account' }] }
    );
  }
  if (options.yes === true) return;
  const question = `run-local ${migrationId} writes Route 53 weights in the real account (no AWS_ENDPOINT_URL_ROUTE_53 or AWS_ENDPOINT_URL). Continue? [y/N] `;
  if (process.stdin.isTTY !== true) {
    throw new CliError(
      'run-local against a real account needs a confirmation: pass --yes (no terminal to ask on)',
      ExitCode.InvalidInput,
      { issues: [{ path: '--yes', rule: 'required against a real account without a terminal' }] }
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(question);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new CliError('not confirmed: nothing was started', ExitCode.InvalidInput);
  } finally {
    prompt.close();
  }
}

/** A run that never got past preflight has nothing to chart: no report file. */
function ranAnything(report: RunReport): boolean {
  return (
    report.outcome !== 'refused' && report.outcome !== 'invalid-input' && report.snapshot.length > 0
  );
}

export async function runLocal(options: RunLocalOptions): Promise<number> {
  // Validation first: a bad file never reaches AWS.
  const { input } = loadInput(options.input);
  await confirmRealAccount(options, input.migrationId);
  const stream = options.json ? process.stderr : process.stdout;
  const printer = new ProgressPrinter(stream);
  const cloudwatch = new CloudWatchClient(
    options.region === undefined ? {} : { region: options.region }
  );
  const region = await regionOf(cloudwatch);
  // Route 53 is global; any region resolves its endpoint.
  const route53 = new Route53Client({ region, maxAttempts: 8 });
  const router = new Route53TrafficRouter(route53);
  const registry = registryTable({
    region,
    ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
  });
  await ensureRegistryTable(registry, (text) => printer.note(text));
  const clock = new VirtualClock(new Date());
  const recorder = new TimelineRecorder((event) => printer.handle(event));
  const realMsPerVirtualSecond = options.timeScale === 'max' ? 0 : 1_000 / options.timeScale;
  const prompt = gatePrompt({
    engine: () => engine,
    clock,
    say: (text) => printer.note(text),
  });
  const engine: LocalEngine = new LocalEngine({
    route53,
    cloudwatch,
    dynamodb: registry.dynamodb,
    registryTable: registry.table,
    clock,
    deliverStatusEvents: true,
    realMsPerVirtualSecond,
    onEvent: (event) => recorder.record(event),
    onGateWaiting: prompt.onGateWaiting,
    // Step hooks (input.hooks) are the real functions, invoked through the Lambda API.
    invokeLambda: lambdaInvoker(region),
  });
  const began = Date.now();
  const startedAt = clock.now().toISOString();
  printer.handle({
    at: startedAt,
    kind: 'start',
    message: `${input.migrationId}: ${input.records.length} record pair(s), ${options.timeScale === 'max' ? 'no real waiting' : `time x${options.timeScale}`}, region ${region}, registry ${registry.table}`,
  });
  const started = engine.start(input, executionName(input.migrationId, new Date()));
  const signals = interruptions({
    onFirst: (signal) => {
      printer.note(
        `${signal}: stopping the execution; on-execution-end restores the snapshot. Ctrl-C again to quit at once.`
      );
      printer.handle({
        at: clock.now().toISOString(),
        kind: 'stop',
        message: 'stopping the execution (interrupted)',
      });
      void engine.stop(started.executionArn, 'OperatorAbort', 'interrupted (Ctrl-C)');
    },
  });
  let ends: ExecutionEnd[];
  try {
    ends = await engine.endOfChain(started.executionArn);
  } finally {
    signals.dispose();
    prompt.dispose();
  }
  printer.finish();
  const latest = recorder.lastState ?? (await engine.registry.latestRunState(started.executionArn));
  const snapshot = latest?.snapshot ?? [];
  let finalPairs: WeightedPair[] = [];
  try {
    finalPairs = await router.readPairs(input.records);
  } catch (error) {
    printer.note(`could not read the records at the end: ${(error as Error).message}`);
  }
  const report: RunReport = {
    ...runReportOf({
      title: `traffic-shift run-local: ${input.migrationId}`,
      input,
      executionArn: started.executionArn,
      ends,
      recorder,
      snapshot,
      finalPairs,
      now: clock.now(),
      startedAt,
    }),
    plannedSteps: latest?.steps ?? [],
    clock: options.timeScale === 1 ? 'real' : 'virtual',
  };

  const written = ranAnything(report)
    ? writeReport(report, options.report ?? `reports/run-${input.migrationId}.html`)
    : undefined;
  const realMs = Date.now() - began;
  if (options.json) {
    printJson(
      summaryJson(report, {
        command: 'run-local',
        input: resolve(options.input),
        realMs,
        report: written === undefined ? null : resolve(written),
      })
    );
  } else {
    process.stdout.write(
      renderSummary(report, {
        ...(written === undefined ? {} : { reportPath: written }),
        realMs,
        color: useColor(process.stdout),
        virtualTime: options.timeScale !== 1,
      })
    );
  }
  return report.exitCode;
}
