/**
 * `traffic-shift report ARN`: the same HTML report as a local run, rebuilt from the execution history
 * (and its continuations'). `--read-weights` reads the records' current weights from Route 53.
 */
import { resolve } from 'node:path';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { historyReport } from '../history-report.ts';
import { writeReport } from '../report.ts';
import { renderSummary, summaryJson } from '../run-summary.ts';
import { useColor } from '../terminal-style.ts';
import { checkExecutionArn, printJson, regionOfArn, sfnClient } from './common.ts';

export interface ReportOptions {
  executionArn: string;
  out?: string;
  json: boolean;
  readWeights: boolean;
  region?: string;
}

export async function reportExecution(options: ReportOptions): Promise<number> {
  const executionArn = checkExecutionArn(options.executionArn);
  const region = options.region ?? regionOfArn(executionArn);
  const client = sfnClient(region);
  const report = await historyReport(client, executionArn, {
    ...(options.readWeights
      ? {
          readPairs: (state) =>
            new Route53TrafficRouter(
              new Route53Client(region === undefined ? {} : { region })
            ).readPairs(state.input.records),
        }
      : {}),
  });
  const name = executionArn.split(':').at(-1) ?? 'execution';
  const written = writeReport(report, options.out ?? `reports/${name}.html`);
  if (options.json) printJson(summaryJson(report, { command: 'report', report: resolve(written) }));
  else
    process.stdout.write(
      renderSummary(report, { reportPath: written, color: useColor(process.stdout) })
    );
  return 0;
}
