/**
 * `traffic-shift plan FILE`: validates an input and shows what it will do: the steps, how long each takes,
 * the ETA and the worst-case exposure (how long users see a regression before the rollback has taken effect).
 * No AWS call.
 */
import { targetLabel } from '../../functions/core/discovery-target.ts';
import type { MigrationInput } from '../../functions/core/input.ts';
import { estimatePlan } from '../../functions/core/plan.ts';
import { formatDuration } from '../report.ts';
import { loadInput, printJson } from './common.ts';

export interface PlanOptions {
  file: string;
  ttl: number;
  json: boolean;
}

function rules(input: MigrationInput): string[] {
  const t = input.thresholds;
  const l = input.limits;
  const judged = [
    `error rate <= ${t.errorRateMaxPercent}% (a Fail needs ${Math.round(t.confidence * 100)}% confidence)`,
    t.latencyAvgMaxMs === undefined ? '' : `latency avg <= ${t.latencyAvgMaxMs} ms`,
    t.latencyMaxMs === undefined ? '' : `latency max <= ${t.latencyMaxMs} ms`,
    t.latencyP99MaxMs === undefined ? '' : `latency p99 <= ${t.latencyP99MaxMs} ms`,
    input.metrics.blueDiscoveryNames?.length
      ? `and against blue: error rate <= max(blue x ${t.baseline.errorRateMaxRatio}, blue + ${t.baseline.errorRateMinDeltaPercent}%), latency avg <= max(blue x ${t.baseline.latencyAvgMaxRatio}, blue + ${t.baseline.latencyAvgMinDeltaMs} ms)`
      : '',
  ].filter((part) => part !== '');
  return [
    `judged every ${input.plan.evaluationIntervalSeconds} s over ${input.metrics.windowSeconds} s windows of ${input.metrics.greenDiscoveryNames.map(targetLabel).join(', ')} (>= ${t.minRequests} requests, else Inconclusive)`,
    `pass when ${judged.join(', ')}`,
    `roll back when failures > ${l.maxFailures}, failures in a row > ${l.maxConsecutiveFailures}, metric errors in a row > ${l.maxConsecutiveErrors}; after ${l.maxInconclusive} inconclusive in a row: ${l.onInconclusiveLimit}`,
    `mode ${input.mode}${input.mode === 'observe' ? ' (no write to Route 53)' : ''}; on drift: ${input.onDrift}`,
  ];
}

export function plan(options: PlanOptions): number {
  const { input } = loadInput(options.file);
  const estimate = estimatePlan(input, { ttlSeconds: options.ttl });
  const zones = new Set(input.records.map((record) => record.hostedZoneId));
  if (options.json) {
    printJson({
      migrationId: input.migrationId,
      records: input.records,
      hostedZones: zones.size,
      mode: input.mode,
      ttlSeconds: options.ttl,
      steps: estimate.steps,
      perStep: estimate.perStep,
      etaSeconds: estimate.etaSeconds,
      worstCaseExposureSeconds: estimate.worstCaseExposureSeconds,
      formulas: estimate.formulas,
      input,
    });
    return 0;
  }
  const out: string[] = [
    `${input.migrationId}: ${estimate.steps.length} step(s) on ${input.records.length} record pair(s) in ${zones.size} hosted zone(s)`,
    ...input.records.map(
      (record) =>
        `  ${record.name} ${record.type}  blue ${record.blueSetIdentifier} -> green ${record.greenSetIdentifier}`
    ),
    '',
    '  step   green   DNS sync    TTL   publication   period      bake       total   done at',
  ];
  let elapsed = 0;
  estimate.perStep.forEach((step, index) => {
    elapsed += step.totalSeconds;
    out.push(
      `  ${String(index + 1).padStart(4)}  ${`${step.greenPercent}%`.padStart(6)}  ${`${step.dnsSyncSeconds} s`.padStart(9)}  ${`${step.ttlSeconds} s`.padStart(5)}  ${`${step.publicationDelaySeconds} s`.padStart(12)}  ${`${step.periodSeconds} s`.padStart(7)}  ${`${step.bakeSeconds} s`.padStart(8)}  ${formatDuration(step.totalSeconds * 1_000).padStart(10)}  +${formatDuration(elapsed * 1_000)}`
    );
  });
  out.push(
    '',
    `  ETA                  ${formatDuration(estimate.etaSeconds * 1_000)} when every evaluation passes`,
    `                       ${estimate.formulas.eta}`,
    `  worst-case exposure  ${formatDuration(estimate.worstCaseExposureSeconds * 1_000)} from a regression's onset to the rollback taking effect`,
    `                       ${estimate.formulas.worstCaseExposure}`,
    '',
    ...rules(input).map((line) => `  ${line}`),
    '',
    `  TTL assumed ${options.ttl} s (--ttl); alias records follow their target's TTL`
  );
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
