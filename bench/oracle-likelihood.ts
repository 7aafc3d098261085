/**
 * The exact per-minute likelihoods of green's 5xx count in the bench's world (bench/traffic.ts), for the
 * oracle detector (bench/oracle-bound.ts). A minute with n green requests has 5xx ~ Binomial(n, p) with
 * p = min(1, rate x exp(sigma z - sigma^2 / 2)), z ~ N(0, 1) (the mean-one log-normal over-dispersion):
 *   M(x | n, rate) = E_z[Binomial(x; n, p(z))], by Gauss-Hermite quadrature in log space (64 nodes);
 *   healthy  f0 = (1 - q) M(x | n, health rate) + q M(x | n, burst rate)   (a burst is possible, probability q)
 *   regressed f1 = M(x | n, regression rate)
 * and the minute's evidence is log f1 - log f0 (the green-only detector, which must treat a burst as possible in
 * any minute of any run). In the world, bursts are a property of the scenario (flapping: on blue and on green;
 * healthy and regressed runs: none), so the regime-aware detector splits that evidence in two:
 *   regression evidence  log M(x | n, regression rate) - log M(x | n, health rate)     (green minutes)
 *   flapping evidence    log((1 - q) + q M(x | n, burst rate) / M(x | n, health rate))   (green and blue minutes)
 * Every figure is read from bench/traffic.ts.
 * The world draws Binomial(n, p) as Poisson(np) below p = 5 % (normal above a mean of 30, rounded): a
 * variance 1 - p lower than Poisson's, under 2 % here, which the oracle ignores.
 */
import { ERROR_REGRESSION_PERCENT, NOISE, TRAFFIC_SCENARIOS } from './traffic.ts';

/** What the oracle knows about the world: its exact rates, burst model and over-dispersion. */
export interface OracleModel {
  healthyPercent: number;
  burstProbability: number;
  burstPercent: number;
  regressedPercent: number;
  errorSigma: number;
}

const flapping = TRAFFIC_SCENARIOS.flapping;
export const WORLD_MODEL: OracleModel = {
  healthyPercent: flapping.green.errorRatePercent,
  burstProbability: flapping.burstProbabilityPerMinute,
  burstPercent: flapping.burstErrorRatePercent,
  regressedPercent: ERROR_REGRESSION_PERCENT,
  errorSigma: NOISE.errorSigma,
};

export interface QuadratureRule {
  /** Nodes for z ~ N(0, 1). */
  nodes: readonly number[];
  /** Their weights (sum 1), and their logarithms. */
  weights: readonly number[];
  logWeights: readonly number[];
}

/**
 * Gauss-Hermite nodes and weights (Newton on the orthonormal Hermite recurrence, the usual starting guesses),
 * rescaled from the weight exp(-x^2) to the standard normal: z = sqrt(2) x, weight / sqrt(pi).
 */
export function gaussHermite(count: number): QuadratureRule {
  const x = new Array<number>(count).fill(0);
  const w = new Array<number>(count).fill(0);
  const piToMinusQuarter = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < (count + 1) >> 1; i++) {
    if (i === 0) z = Math.sqrt(2 * count + 1) - 1.855_75 * (2 * count + 1) ** (-1 / 6);
    else if (i === 1) z -= (1.14 * count ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * (x[0] as number);
    else if (i === 3) z = 1.91 * z - 0.91 * (x[1] as number);
    else z = 2 * z - (x[i - 2] as number);
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = piToMinusQuarter;
      let p2 = 0;
      for (let j = 0; j < count; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      derivative = Math.sqrt(2 * count) * p2;
      const previous = z;
      z = previous - p1 / derivative;
      if (Math.abs(z - previous) <= 1e-14) break;
    }
    x[i] = z;
    x[count - 1 - i] = -z;
    w[i] = 2 / (derivative * derivative);
    w[count - 1 - i] = w[i] as number;
  }
  const weights = w.map((weight) => weight / Math.sqrt(Math.PI));
  return {
    nodes: x.map((node) => Math.SQRT2 * node),
    weights,
    logWeights: weights.map(Math.log),
  };
}

const LANCZOS = [
  0.999_999_999_999_809_9, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_1,
  -176.615_029_162_140_6, 12.507_343_278_686_905, -0.138_571_095_265_720_12,
  9.984_369_578_019_571_6e-6, 1.505_632_735_149_311_6e-7,
];

/** log Gamma(v) for v > 0 (Lanczos, g = 7). */
export function logGamma(v: number): number {
  if (v < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * v)) - logGamma(1 - v);
  const t = v - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (t + i);
  const g = t + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (t + 0.5) * Math.log(g) - g + Math.log(sum);
}

const logSumExp = (terms: readonly number[]) => {
  const top = Math.max(...terms);
  if (top === Number.NEGATIVE_INFINITY) return top;
  let sum = 0;
  for (const term of terms) sum += Math.exp(term - top);
  return top + Math.log(sum);
};

/**
 * 64 nodes: against a trapezoid rule on a 0.01 grid, |error| of log M < 3e-4 wherever M > e^-20 for n up to
 * 3,600 (32 nodes: 0.03, in the far tail where z is near 5).
 */
export const RULE = gaussHermite(64);

/** log M(x | n, ratePercent): the over-dispersed binomial probability of x 5xx among n requests. */
export function logMixedBinomialPmf(
  x: number,
  n: number,
  ratePercent: number,
  sigma: number,
  rule: QuadratureRule = RULE
): number {
  if (x < 0 || x > n) return Number.NEGATIVE_INFINITY;
  const logChoose = logGamma(n + 1) - logGamma(x + 1) - logGamma(n - x + 1);
  const terms = rule.nodes.map((z, i) => {
    const p = Math.min(1, (ratePercent / 100) * Math.exp(sigma * z - (sigma * sigma) / 2));
    const logWeight = rule.logWeights[i] as number;
    if (p >= 1) return x === n ? logWeight : Number.NEGATIVE_INFINITY;
    return logWeight + x * Math.log(p) + (n - x) * Math.log1p(-p);
  });
  return logChoose + logSumExp(terms);
}

/** The minute's evidence: log f1(x | n) - log f0(x | n) (see the file comment). */
export function minuteEvidence(x: number, n: number, model: OracleModel = WORLD_MODEL): number {
  const s = model.errorSigma;
  const q = model.burstProbability;
  const f1 = logMixedBinomialPmf(x, n, model.regressedPercent, s);
  const healthy = logMixedBinomialPmf(x, n, model.healthyPercent, s);
  const f0 =
    q > 0
      ? logSumExp([
          Math.log1p(-q) + healthy,
          Math.log(q) + logMixedBinomialPmf(x, n, model.burstPercent, s),
        ])
      : healthy;
  return f1 - f0;
}

/** Page's CUSUM over evidence in order: W_t = max(0, W_{t-1} + llr_t), from W_0 = 0. */
export function cusum(evidence: readonly number[]): number {
  let w = 0;
  for (const llr of evidence) w = Math.max(0, w + llr);
  return w;
}

/** Regressed against healthy with no burst on either side: the regime-aware detector's per-minute evidence. */
export function regressionEvidence(x: number, n: number, model: OracleModel = WORLD_MODEL): number {
  if (n === 0) return 0;
  const s = model.errorSigma;
  return (
    logMixedBinomialPmf(x, n, model.regressedPercent, s) -
    logMixedBinomialPmf(x, n, model.healthyPercent, s)
  );
}

/** One minute's evidence for "the service flaps" (bursts possible) against "it is healthy" (no bursts). */
export function flappingEvidence(x: number, n: number, model: OracleModel = WORLD_MODEL): number {
  const q = model.burstProbability;
  if (n === 0 || q === 0) return 0;
  const s = model.errorSigma;
  const burstRatio =
    logMixedBinomialPmf(x, n, model.burstPercent, s) -
    logMixedBinomialPmf(x, n, model.healthyPercent, s);
  return logSumExp([Math.log1p(-q), Math.log(q) + burstRatio]);
}

/**
 * The regime-aware statistic: the log-likelihood ratio of "regressed from the best changepoint" against the
 * mixture of "healthy" (prior weight 1) and "flapping" (prior weight e^logFlappingWeight):
 *   max_k S_k - log(1 + e^(logFlappingWeight + B)),
 * with `w` = max(0, max_k S_k) over regression evidence and `flapping` = B, the sum of flapping evidence over
 * every published minute of both environments. Bursts on blue (or earlier on green) raise B and so lower it.
 */
export function regimeStatistic(w: number, flapping: number, logFlappingWeight = 0): number {
  return w - logSumExp([0, logFlappingWeight + flapping]);
}
