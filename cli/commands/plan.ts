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
    `${input.mode === 'observe' ? 'decide (and record) a rollback' : 'roll back'} when failures > ${l.maxFailures}, failures in a row > ${l.maxConsecutiveFailures}, metric errors in a row > ${l.maxConsecutiveErrors}; after ${l.maxInconclusive} inconclusive in a row: ${l.onInconclusiveLimit}`,
    input.mode === 'observe'
      ? `mode observe: walks the schedule and records every decision; no weight is written to Route 53, so the steps above are the traffic green would get in shift mode; a rollback decision ends the run with nothing to restore; on drift: ${input.onDrift}`
      : `mode shift; on drift: ${input.onDrift}`,
  ];
}

/** Rows under a header, every column as wide as its widest cell; the first `left` columns left-aligned. */
export function alignTable(
  header: readonly string[],
  rows: readonly string[][],
  left = 0
): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length))
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column < left ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * plan reads no records (no AWS call), so the only TTL it knows is the one given with --ttl: past
 * dns.maxTtlSeconds, preflight would refuse a plain record with that TTL.
 */
export function ttlWarning(input: MigrationInput, ttlSeconds: number): string | undefined {
  if (ttlSeconds <= input.dns.maxTtlSeconds) return undefined;
  return `--ttl ${ttlSeconds} s exceeds dns.maxTtlSeconds (${input.dns.maxTtlSeconds} s): preflight refuses non-alias records with a higher TTL (lower the records' TTL, or raise dns.maxTtlSeconds and accept slower shifts and rollbacks). plan reads no records: it checks only the TTL given with --ttl.`;
}

export function plan(options: PlanOptions): number {
  const { input } = loadInput(options.file);
  const estimate = estimatePlan(input, { ttlSeconds: options.ttl });
  const zones = new Set(input.records.map((record) => record.hostedZoneId));
  if (options.json) {
    const warning = ttlWarning(input, options.ttl);
    printJson({
      ...(warning === undefined ? {} : { warnings: [warning] }),
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
  const observe = input.mode === 'observe';
  const out: string[] = [
    `${input.migrationId}: ${estimate.steps.length} step(s) on ${input.records.length} record pair(s) in ${zones.size} hosted zone(s)${observe ? ', observed only (no weight is written)' : ''}`,
    ...input.records.map(
      (record) =>
        `  ${record.name} ${record.type}  blue ${record.blueSetIdentifier} -> green ${record.greenSetIdentifier}`
    ),
    '',
  ];
  let elapsed = 0;
  const rows = estimate.perStep.map((step, index) => {
    elapsed += step.totalSeconds;
    return [
      String(index + 1),
      `${step.greenPercent}%`,
      `${step.dnsSyncSeconds} s`,
      `${step.ttlSeconds} s`,
      `${step.publicationDelaySeconds} s`,
      `${step.periodSeconds} s`,
      `${step.bakeSeconds} s`,
      formatDuration(step.totalSeconds * 1_000),
      `+${formatDuration(elapsed * 1_000)}`,
    ];
  });
  const header = [
    'step',
    'green',
    'DNS sync',
    'TTL',
    'publication',
    'period',
    'bake',
    'total',
    'done at',
  ];
  out.push(...alignTable(header, rows).map((line) => `  ${line}`));
  out.push(
    '',
    `  ETA                  ${formatDuration(estimate.etaSeconds * 1_000)} when every evaluation passes`,
    `                       ${estimate.formulas.eta}`,
    observe
      ? `  worst-case exposure  none: observe mode writes no weight (in shift mode: ${formatDuration(estimate.worstCaseExposureSeconds * 1_000)})`
      : `  worst-case exposure  ${formatDuration(estimate.worstCaseExposureSeconds * 1_000)} from a regression's onset to the rollback taking effect`,
    `                       ${estimate.formulas.worstCaseExposure}`,
    '',
    ...rules(input).map((line) => `  ${line}`),
    '',
    `  TTL assumed ${options.ttl} s (--ttl); alias records follow their target's TTL`
  );
  process.stdout.write(`${out.join('\n')}\n`);
  const warning = ttlWarning(input, options.ttl);
  if (warning !== undefined) process.stderr.write(`warning: ${warning}\n`);
  return 0;
}
