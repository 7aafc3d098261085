/**
 * Review probe (not part of the bench): a detector that also reads blue. In the world, bursts are a property of
 * the scenario (flapping: both environments, 1/30 per minute each); a regression world has none. So blue's and
 * green's burst history says which regime the run is in. Statistic at each publication:
 *   L = max_k S_k - log(wH + wF e^B)
 *   S_k = sum over published green minutes t >= k of log M(x | 2 %) - log M(x | 0.2 %)   (CUSUM, any minute)
 *   B = sum over published green and blue minutes of log((1 - q) + q M(x | 1.5 %) / M(x | 0.2 %))
 * (the log-likelihood ratio of "regressed from k" against the mixture of "healthy" and "flapping").
 * Also computes the plain oracle (oracle-likelihood.ts evidence, green only) on the same runs for comparison.
 * Usage: [OFFSET=i] [HS=h,h] [NO_BLUE=1] [FROM25=1] npx node bench/review-regime-oracle.ts RUNS [wF] [cusum|sr|settled]
 */
import { fairWorld, median, simulate } from './fair.ts';
import { REFERENCE_PLAN } from './fair-settings.ts';
import { restrictedCusum, settledMinutes } from './oracle-bound.ts';
import { logMixedBinomialPmf, minuteEvidence, WORLD_MODEL } from './oracle-likelihood.ts';
import { type Policy, type PolicyRun, rollBack } from './policies/policy.ts';
import { type Minute, TRAFFIC_SCENARIOS } from './traffic.ts';

const MINUTE_MS = 60_000;
const m = WORLD_MODEL;
const cache = new Map<string, number>();
const logM = (x: number, n: number, rate: number) => {
  const key = `${n},${x},${rate}`;
  let v = cache.get(key);
  if (v === undefined) {
    v = logMixedBinomialPmf(x, n, rate, m.errorSigma);
    cache.set(key, v);
  }
  return v;
};
const lae = (a: number, b: number) => {
  const top = Math.max(a, b);
  return top === -Infinity ? top : top + Math.log(Math.exp(a - top) + Math.exp(b - top));
};
const burstTerm = (x: number, n: number) =>
  n === 0
    ? 0
    : lae(
        Math.log1p(-m.burstProbability),
        Math.log(m.burstProbability) + logM(x, n, m.burstPercent) - logM(x, n, m.healthyPercent)
      );
const regTerm = (x: number, n: number) =>
  n === 0 ? 0 : logM(x, n, m.regressedPercent) - logM(x, n, m.healthyPercent);
const plainTerm = (x: number, n: number) => (n === 0 ? 0 : minuteEvidence(x, n));

interface High {
  atMs: number;
  v: number;
}
function trace(name: 'healthy' | 'flapping' | 'error-regression', index: number, logWF: number) {
  const { world, startMs } = fairWorld(TRAFFIC_SCENARIOS[name], index);
  const plan = REFERENCE_PLAN;
  for (const [i, percent] of plan.steps.entries()) world.write(startMs + i * plan.holdMs, percent);
  const endMs = startMs + (plan.steps.length - 1) * plan.holdMs + plan.finalWatchMs;
  const minutes: Minute[] = [];
  for (let ms = Math.floor(startMs / MINUTE_MS) * MINUTE_MS; ms <= endMs; ms += MINUTE_MS)
    minutes.push(world.minute(ms));
  const events = minutes
    .filter((mi) => mi.publishedAtMs <= endMs)
    .sort((a, b) => a.publishedAtMs - b.publishedAtMs);
  const published: { startMs: number; reg: number; plain: number; hasGreen: boolean }[] = [];
  let B = 0;
  const highs: High[] = [];
  const plainHighs: High[] = [];
  for (const mi of events) {
    B +=
      burstTerm(mi.green.http5xx, mi.green.requests) +
      (process.env.NO_BLUE ? 0 : burstTerm(mi.blue.http5xx, mi.blue.requests));
    let at = published.length;
    while (at > 0 && (published[at - 1] as { startMs: number }).startMs > mi.startMs) at -= 1;
    published.splice(at, 0, {
      startMs: mi.startMs,
      reg: regTerm(mi.green.http5xx, mi.green.requests),
      plain: plainTerm(mi.green.http5xx, mi.green.requests),
      hasGreen: mi.green.requests > 0,
    });
    let w = 0;
    let wp = 0;
    let sr = Number.NEGATIVE_INFINITY;
    for (const e of published) {
      w = Math.max(0, w + e.reg);
      wp = Math.max(0, wp + e.plain);
      if (e.hasGreen) sr = lae(sr, 0) + e.reg;
    }
    if (MODE === 'sr') w = sr;
    if (MODE === 'settled')
      w = restrictedCusum(
        published.map((e) => ({ startMs: e.startMs, llr: e.reg })),
        settledMinutes(
          plan.steps.map((_, i) => startMs + i * plan.holdMs),
          world.syncMs + world.ttlMs
        )
      );
    // Only green minutes can change the decision; blue minutes lower it (B) so no new high.
    const v = w - lae(0, logWF + B);
    if (process.env.FROM25 && mi.publishedAtMs < startMs + 3 * plan.holdMs) continue;
    if (v > (highs.at(-1)?.v ?? -Infinity)) highs.push({ atMs: mi.publishedAtMs, v });
    if (wp > (plainHighs.at(-1)?.v ?? 0)) plainHighs.push({ atMs: mi.publishedAtMs, v: wp });
  }
  const onsetMs = world.onsetMs;
  const floorDecided = onsetMs === null ? null : world.minute(onsetMs).publishedAtMs;
  return {
    onsetMs,
    floorDecided,
    share: world.regression?.fromSharePercent ?? null,
    highs,
    plainHighs,
    restoreAfter: world.syncMs + world.ttlMs,
  };
}

const runs = Number(process.argv[2] ?? 500);
const logWF = Math.log(Number(process.argv[3] ?? 1));
const MODE = process.argv[4] ?? 'cusum';
const per = Object.fromEntries(
  (['healthy', 'flapping', 'error-regression'] as const).map((n) => [
    n,
    Array.from({ length: runs }, (_, i) => trace(n, i + Number(process.env.OFFSET ?? 0), logWF)),
  ])
) as Record<string, ReturnType<typeof trace>[]>;
const first = (highs: High[], h: number) => highs.find((x) => x.v >= h)?.atMs ?? null;
function evaluate(key: 'highs' | 'plainHighs', h: number) {
  const fr = (n: string) =>
    (100 * (per[n] as ReturnType<typeof trace>[]).filter((r) => first(r[key], h) !== null).length) /
    runs;
  const high = (per['error-regression'] as ReturnType<typeof trace>[]).filter(
    (r) => (r.share ?? 0) >= 25
  );
  const restores: number[] = [];
  const floors: number[] = [];
  for (const r of high) {
    floors.push((r.floorDecided as number) + r.restoreAfter - (r.onsetMs as number));
    const d = first(r[key], h);
    if (d !== null && d >= (r.onsetMs as number))
      restores.push(d + r.restoreAfter - (r.onsetMs as number));
  }
  const rest = median(restores);
  const floor = median(floors);
  return {
    h,
    healthy: fr('healthy'),
    flapping: fr('flapping'),
    restore: rest === null ? null : rest / 1000,
    floor: (floor as number) / 1000,
    gap: rest === null ? null : (rest - (floor as number)) / 1000,
    detected: restores.length,
    of: high.length,
  };
}
for (const key of ['plainHighs', 'highs'] as const) {
  let bound = null;
  for (let h = -10; h <= 40; h += 0.25) {
    const e = evaluate(key, h);
    if (e.healthy <= 0.5 && e.flapping <= 0.5) {
      bound = e;
      break;
    }
  }
  console.log(key, MODE, 'wF', Math.exp(logWF), 'bound', JSON.stringify(bound));
  for (const h of (process.env.HS ?? '4,6,8,10,12').split(',').map(Number))
    console.log('  ', JSON.stringify(evaluate(key, h)));
}

/** The same statistic as a part-1c policy (event order like oracle-bound.ts driveOracle), for fair.ts simulate. */
export function regimePolicy(h: number, wF: number): Policy {
  return {
    name: `regime oracle h ${h} wF ${wF}`,
    parameters: [],
    run: (world, startMs) => {
      const plan = REFERENCE_PLAN;
      const writeAt = plan.steps.map((_, i) => startMs + i * plan.holdMs);
      const endMs = startMs + (plan.steps.length - 1) * plan.holdMs + plan.finalWatchMs;
      const published: { startMs: number; reg: number }[] = [];
      const pending: Minute[] = [];
      let B = 0;
      let nextWrite = 0;
      let judgements = 0;
      const advanceTo = (limitMs: number): PolicyRun | null => {
        for (;;) {
          const writeMs = nextWrite < writeAt.length ? (writeAt[nextWrite] as number) : Infinity;
          let first = -1;
          for (let i = 0; i < pending.length; i++) {
            const at = (pending[i] as Minute).publishedAtMs;
            if (at <= limitMs && (first < 0 || at < (pending[first] as Minute).publishedAtMs))
              first = i;
          }
          const publishMs = first < 0 ? Infinity : (pending[first] as Minute).publishedAtMs;
          if (publishMs === Infinity && writeMs > limitMs) return null;
          if (publishMs > writeMs) {
            world.write(writeMs, plan.steps[nextWrite] as number);
            nextWrite += 1;
            continue;
          }
          const [mi] = pending.splice(first, 1) as [Minute];
          judgements += 1;
          B +=
            burstTerm(mi.green.http5xx, mi.green.requests) +
            burstTerm(mi.blue.http5xx, mi.blue.requests);
          let at = published.length;
          while (at > 0 && (published[at - 1] as { startMs: number }).startMs > mi.startMs) at -= 1;
          published.splice(at, 0, {
            startMs: mi.startMs,
            reg: regTerm(mi.green.http5xx, mi.green.requests),
          });
          let w = 0;
          for (const e of published) w = Math.max(0, w + e.reg);
          if (w - lae(0, Math.log(wF) + B) >= h)
            return rollBack(world, publishMs, 'regime', '', judgements);
        }
      };
      for (let ms = Math.floor(startMs / MINUTE_MS) * MINUTE_MS; ms <= endMs; ms += MINUTE_MS) {
        const decided = advanceTo(ms);
        if (decided !== null) return decided;
        const mi = world.minute(ms);
        if (mi.green.requests > 0 || mi.blue.requests > 0) pending.push(mi);
      }
      return (
        advanceTo(endMs) ?? {
          outcome: 'completed',
          decidedAtMs: endMs,
          rollbackCompleteMs: null,
          trigger: null,
          reason: 'plan done',
          judgements,
        }
      );
    },
  };
}

if (process.env.POLICY) {
  const [h, wF] = process.env.POLICY.split(',').map(Number) as [number, number];
  const policy = regimePolicy(h, wF);
  const out = (name: 'healthy' | 'flapping' | 'error-regression') =>
    Array.from({ length: runs }, (_, i) =>
      simulate(policy, TRAFFIC_SCENARIOS[name], i + Number(process.env.OFFSET ?? 0))
    );
  const fr = (list: ReturnType<typeof out>) =>
    (100 * list.filter((r) => r.falseRollback).length) / list.length;
  const reg = out('error-regression').filter((r) => (r.onsetShare ?? 0) >= 25);
  const restore = median(
    reg.filter((r) => r.restoreSeconds !== null).map((r) => r.restoreSeconds as number)
  );
  const floor = median(
    reg.filter((r) => r.floorRestoreSeconds !== null).map((r) => r.floorRestoreSeconds as number)
  );
  console.log(
    'as a part-1c policy (fair.ts simulate):',
    JSON.stringify({
      h,
      wF,
      healthy: fr(out('healthy')),
      flapping: fr(out('flapping')),
      restore,
      floor,
      gap: (restore as number) - (floor as number),
    })
  );
}
