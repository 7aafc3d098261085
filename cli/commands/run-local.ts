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
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { type ExecutionEnd, LocalEngine, VirtualClock } from '../local-engine.ts';
import { ProgressPrinter, renderSummary, summaryJson, useColor } from '../progress.ts';
import { type RunReport, runReportOf, TimelineRecorder } from '../rehearsal.ts';
import { writeReport } from '../report.ts';
import { executionName, loadInput, printJson, regionOf } from './common.ts';
import { ensureRegistryTable, registryTable } from './registry-table.ts';
import { interruptions } from './signals.ts';

export interface RunLocalOptions {
  input: string;
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

export async function runLocal(options: RunLocalOptions): Promise<number> {
  // Validation first: a bad file never reaches AWS.
  const { input } = loadInput(options.input);
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
  const engine = new LocalEngine({
    route53,
    cloudwatch,
    dynamodb: registry.dynamodb,
    registryTable: registry.table,
    clock,
    deliverStatusEvents: true,
    realMsPerVirtualSecond,
    onEvent: (event) => recorder.record(event),
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

  const written = writeReport(report, options.report ?? `reports/run-${input.migrationId}.html`);
  const realMs = Date.now() - began;
  if (options.json) {
    printJson(
      summaryJson(report, {
        command: 'run-local',
        input: resolve(options.input),
        realMs,
        report: resolve(written),
      })
    );
  } else {
    process.stdout.write(
      renderSummary(report, {
        reportPath: written,
        realMs,
        color: useColor(process.stdout),
        virtualTime: options.timeScale !== 1,
      })
    );
  }
  return report.exitCode;
}
