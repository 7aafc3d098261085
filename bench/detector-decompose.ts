/**
 * Where ours loses time against the physical floor, and what the detector's settings trade (issue 13).
 * Runs ours (the real core through bench/policies/ours.ts) over part 1c's world (bench/fair.ts: sticky
 * clients, the same seeds and start times) with the detector's settings overridden, and splits each
 * detected run's gap to the floor (onset shares >= 25 %, aligned onsets) into its parts:
 *   decided - floor decided = (minutes of evidence - 1) x 60 s      (waiting for later minutes)
 *                           + (D_last - D_onset)                    (their publication delays differ)
 *                           + (decided - last minute published)     (poll lag)
 * and restore - floor restore = decided - floor decided (both restores are INSYNC + TTL after the decision).
 *
 *   npx node bench/detector-decompose.ts --runs 400 [--fa 0.01] [--min 2] [--first 90] [--poll 30]
 *     [--steady 1,2 --burst limit,binomial]
 * Prints one line per setting: false rollbacks (healthy, flapping), mean 5xx served (aligned, uniform),
 * restore median and floor, the decomposition's medians per onset share, and looks per healthy migration.
 * With --steady, the probe of bench/regime-cap.ts: minEvidenceMinutes S until a published blue minute looks
 * like a burst (--burst), then --min (default 3); it also prints how many flapping runs were still steady
 * when they reached 25 % green.
 */
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

import { parseArgs } from 'node:util';
import { parseMigrationInput } from '../functions/core/input.ts';
import type { TimeWindow } from '../functions/core/types.ts';
import { seedOf } from './decision-quality.ts';
import { oursPolicy, referenceInput } from './policies/ours.ts';
import { aboveLimit, aboveOwnRate, type BurstTest, blueBurstRule } from './regime-cap.ts';
import { TRAFFIC_SCENARIOS, type TrafficScenario, World } from './traffic.ts';

const MINUTE_MS = 60_000;
const BASE_START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const MISSED_HORIZON_MS = 60 * MINUTE_MS;
/** Probe's binomial burst test: blue minutes needed before blue's own rate is used. */
const BINOMIAL_WARMUP = 5;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '400' },
    fa: { type: 'string', default: '' },
    min: { type: 'string', default: '' },
    first: { type: 'string', default: '' },
    poll: { type: 'string', default: '' },
    /** thresholds.baseline.errorRateMinDeltaPercent (one value). */
    delta: { type: 'string', default: '' },
    /** Probe: minEvidenceMinutes while blue looked steady (bench/regime-cap.ts). */
    steady: { type: 'string', default: '' },
    /** Probe: what a burst is: limit (rate > errorRateMaxPercent, n >= minRequests), binomial (vs blue's own rate). */
    burst: { type: 'string', default: 'limit' },
    /** Probe: the binomial burst test's one-sided level. */
    alpha: { type: 'string', default: '0.001' },
  },
});

/** A world that remembers the newest green window it was asked for (the minute the decision judged last). */
class RecordingWorld extends World {
  lastGreenEndMs = 0;
  override sample(
    env: 'green' | 'blue',
    name: string,
    window: TimeWindow,
    nowMs: number
  ): ReturnType<World['sample']> {
    if (env === 'green')
      this.lastGreenEndMs = Math.max(this.lastGreenEndMs, Date.parse(window.end));
    return super.sample(env, name, window, nowMs);
  }
}

const list = (text: string | undefined) =>
  text === undefined || text === '' ? [undefined] : text.split(',').map(Number);

const median = (values: readonly number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};
const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
const r1 = (value: number) => Math.round(value * 10) / 10;

function measure(
  runs: number,
  fa: number | undefined,
  min: number | undefined,
  first: number | undefined,
  poll: number | undefined,
  steady: number | undefined,
  burst: string
) {
  const draft = referenceInput();
  draft.thresholds = {
    ...(fa === undefined ? {} : { falseAlarmRate: fa }),
    ...(min === undefined ? {} : { minEvidenceMinutes: min }),
    ...(args.delta === undefined || args.delta === ''
      ? {}
      : { baseline: { errorRateMinDeltaPercent: Number(args.delta) } }),
  };
  draft.metrics = {
    ...draft.metrics,
    ...(first === undefined ? {} : { earliestPublicationSeconds: first }),
    ...(poll === undefined ? {} : { publicationPollSeconds: poll }),
  } as typeof draft.metrics;
  const parsed = parseMigrationInput(draft);
  const { errorRateMaxPercent, minRequests } = parsed.thresholds;
  const tests: Record<string, BurstTest> = {
    limit: aboveLimit(errorRateMaxPercent, minRequests),
    binomial: aboveOwnRate(
      Number(args.alpha),
      BINOMIAL_WARMUP,
      aboveLimit(errorRateMaxPercent, minRequests)
    ),
  };
  const test = tests[burst];
  if (test === undefined)
    throw new Error(`--burst must be one of ${Object.keys(tests).join(', ')}`);
  const probe =
    steady === undefined
      ? undefined
      : blueBurstRule(steady, parsed.thresholds.minEvidenceMinutes, test);
  const policy = oursPolicy('ours', draft, probe?.rule);
  const scenarioNames = Object.keys(TRAFFIC_SCENARIOS);
  const run = (scenario: TrafficScenario, index: number) => {
    const seed = seedOf(scenarioNames.indexOf(scenario.name), index);
    const startMs = BASE_START_MS + index * 86_400_000 + (seed % 60_000);
    const world = new RecordingWorld({ scenario, seed, startMs, stickyClients: true });
    const result = policy.run(world, startMs);
    const settledMs = Math.max(result.rollbackCompleteMs ?? result.decidedAtMs, result.decidedAtMs);
    world.minute(Math.floor(settledMs / MINUTE_MS) * MINUTE_MS + MISSED_HORIZON_MS);
    return { world, result };
  };
  const falseRollbacks = (name: 'healthy' | 'flapping') => {
    let count = 0;
    let looks = 0;
    let reached25 = 0;
    let steadyAt25 = 0;
    const triggers: Record<string, number> = {};
    const rolledBackAt: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const { world, result } = run(TRAFFIC_SCENARIOS[name], i);
      const at25 = world.writes.find((write) => write.percent >= 25)?.atMs;
      if (probe !== undefined && at25 !== undefined) {
        reached25 += 1;
        const switched = probe.record.switchedAtMs;
        if (switched === null || switched > at25) steadyAt25 += 1;
      }
      if (result.outcome === 'rolled-back') {
        count += 1;
        triggers[result.trigger ?? 'other'] = (triggers[result.trigger ?? 'other'] ?? 0) + 1;
        if (probe !== undefined) {
          const percent = world.writes.findLast((w) => w.atMs < result.decidedAtMs)?.percent;
          const switched = probe.record.switchedAtMs;
          const key = `${percent} % ${switched === null || switched > result.decidedAtMs ? 'steady' : 'switched'}`;
          rolledBackAt[key] = (rolledBackAt[key] ?? 0) + 1;
        }
      }
      looks += result.judgements;
    }
    return {
      pct: (100 * count) / runs,
      looks: looks / runs,
      triggers: JSON.stringify(triggers),
      steady: `${steadyAt25} of ${reached25}`,
      rolledBackAt: JSON.stringify(rolledBackAt),
    };
  };
  const healthy = falseRollbacks('healthy');
  const flapping = falseRollbacks('flapping');
  const badMean = (name: 'error-regression' | 'error-regression-uniform') => {
    const parts: {
      share: number;
      gap: number;
      wait: number;
      delays: number;
      lag: number;
      minutes: number;
      restore: number;
      floor: number;
    }[] = [];
    const bad: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { world, result } = run(TRAFFIC_SCENARIOS[name], i);
      const onsetMs = world.onsetMs;
      if (onsetMs === null) continue;
      const detected = result.outcome === 'rolled-back' && onsetMs <= result.decidedAtMs;
      const endMs = detected ? world.drainedAt(result.decidedAtMs) : onsetMs + MISSED_HORIZON_MS;
      bad.push(world.greenServed(onsetMs, endMs).errors);
      const share = world.regression?.fromSharePercent ?? 0;
      if (!detected || share < 25) continue;
      const onsetMinute = world.minute(onsetMs);
      const lastMinute = world.minute(world.lastGreenEndMs - MINUTE_MS);
      const minutes = (world.lastGreenEndMs - onsetMs) / MINUTE_MS;
      parts.push({
        share,
        gap: (result.decidedAtMs - onsetMinute.publishedAtMs) / 1_000,
        wait: (minutes - 1) * 60,
        delays: (lastMinute.publishedAtMs - onsetMinute.publishedAtMs) / 1_000 - (minutes - 1) * 60,
        lag: (result.decidedAtMs - lastMinute.publishedAtMs) / 1_000,
        minutes,
        restore: ((result.rollbackCompleteMs as number) - onsetMs) / 1_000,
        floor: (world.effectiveAt(onsetMinute.publishedAtMs) - onsetMs) / 1_000,
      });
    }
    return { bad: mean(bad), parts };
  };
  const aligned = badMean('error-regression');
  const uniform = badMean('error-regression-uniform');
  const p = aligned.parts;
  const byShare = [25, 50, 75, 100].map((share) => {
    const at = p.filter((x) => x.share === share);
    return `${share}%: n ${at.length}, min ${r1(mean(at.map((x) => x.minutes)))} (med ${median(at.map((x) => x.minutes))}), gap ${r1(median(at.map((x) => x.gap)))} s = wait ${r1(mean(at.map((x) => x.wait)))} + delays ${r1(mean(at.map((x) => x.delays)))} + lag ${r1(mean(at.map((x) => x.lag)))} (means)`;
  });
  return [
    `fa ${fa ?? 'default'} min ${min ?? 'default'} first ${first ?? 'default'} poll ${poll ?? 'default'}${args.delta ? ` baseline delta ${args.delta}` : ''}${steady === undefined ? '' : ` steady ${steady} until a blue burst (${burst === 'binomial' ? `binomial, alpha ${args.alpha}` : burst})`}, ${runs} runs:`,
    `  FR healthy ${r1(healthy.pct)} % flapping ${r1(flapping.pct)} % ${flapping.triggers}; looks per healthy migration ${r1(healthy.looks)}; 5xx aligned ${r1(aligned.bad)} uniform ${r1(uniform.bad)}`,
    `  restore median >= 25 %: ${r1(median(p.map((x) => x.restore)))} s, floor ${r1(median(p.map((x) => x.floor)))} s, median gap decided - floor decided ${r1(median(p.map((x) => x.gap)))} s (wait ${r1(mean(p.map((x) => x.wait)))} + delays ${r1(mean(p.map((x) => x.delays)))} + lag ${r1(mean(p.map((x) => x.lag)))} s, means)`,
    ...byShare.map((line) => `    ${line}`),
    ...(probe === undefined
      ? []
      : [
          `  still steady when 25 % was written: flapping ${flapping.steady}, healthy ${healthy.steady}; flapping rollbacks at (green %, rule then) ${flapping.rolledBackAt}`,
        ]),
  ].join('\n');
}

const runs = Number(args.runs);
for (const fa of list(args.fa))
  for (const min of list(args.min))
    for (const first of list(args.first))
      for (const poll of list(args.poll))
        for (const steady of list(args.steady))
          for (const burst of args.burst.split(','))
            console.log(measure(runs, fa, min, first, poll, steady, burst));
