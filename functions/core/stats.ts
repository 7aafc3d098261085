/**
 * Small statistics for judging error rates on little traffic: a window with 3 errors in 100 requests
 * says much less than one with 300 in 10,000, and Service Connect publishes raw counts, not rates.
 * No dependencies: the core may import nothing but zod.
 */

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.15e-9).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
] as const;
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
] as const;
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [
  7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416,
] as const;
/** Below this (and above 1 - this) the tails use the `C`/`D` approximation. */
const P_LOW = 0.02425;

/** The tail approximation for `q = sqrt(-2 ln p)`; negative (the lower tail). */
function tail(q: number): number {
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}

/**
 * The standard normal quantile (inverse CDF): the `z` with `P(Z <= z) = probability`.
 * Acklam's algorithm; relative error below 1.15e-9, plenty for a confidence bound.
 *
 * @throws RangeError when `probability` is not strictly between 0 and 1.
 * @example
 * normalQuantile(0.95); // => 1.6448536…
 * normalQuantile(0.5); // => 0
 */
export function normalQuantile(probability: number): number {
  if (!(probability > 0 && probability < 1)) {
    throw new RangeError(
      `normalQuantile: probability must be strictly between 0 and 1 (got ${probability})`
    );
  }
  if (probability < P_LOW) return tail(Math.sqrt(-2 * Math.log(probability)));
  if (probability > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - probability)));
  const q = probability - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/**
 * A proportion's plausible range: both ends are fractions in 0..1.
 *
 * @example
 * const interval: ProportionInterval = wilsonInterval(3, 100, 0.95); // { lower: 0.0120…, upper: 0.0727… }
 */
export interface ProportionInterval {
  lower: number;
  upper: number;
}

/**
 * The Wilson score interval for `successes` out of `trials`, each end one-sided at `confidence`:
 * with `confidence` 0.95 the true proportion is above `lower` with 95 % confidence (and below `upper`
 * with 95 % confidence). Wilson rather than the normal approximation because it stays inside 0..1 and
 * behaves with few events, which is the usual case for 5xx counts in a one-minute Service Connect window.
 * No trials means no information: `{ lower: 0, upper: 1 }`.
 *
 * @throws RangeError when the counts are negative, `successes > trials`, or `confidence` is outside 0.5..1 (exclusive of 1).
 * @example
 * wilsonInterval(44, 1_812, 0.95); // => { lower: 0.0190…, upper: 0.0309… }
 */
export function wilsonInterval(
  successes: number,
  trials: number,
  confidence: number
): ProportionInterval {
  if (!(successes >= 0 && trials >= 0 && successes <= trials)) {
    throw new RangeError(
      `wilsonInterval: need 0 <= successes <= trials (got ${successes} of ${trials})`
    );
  }
  if (!(confidence >= 0.5 && confidence < 1)) {
    throw new RangeError(`wilsonInterval: confidence must be in [0.5, 1) (got ${confidence})`);
  }
  if (trials === 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(confidence);
  const z2 = z * z;
  const share = successes / trials;
  const centre = share + z2 / (2 * trials);
  const margin = z * Math.sqrt((share * (1 - share)) / trials + z2 / (4 * trials * trials));
  const denominator = 1 + z2 / trials;
  // Clamp away floating-point dust (e.g. -1e-18 at zero successes).
  return {
    lower: Math.max(0, (centre - margin) / denominator),
    upper: Math.min(1, (centre + margin) / denominator),
  };
}

/**
 * The one-sided Wilson lower bound: the error rate green is above with `confidence`.
 *
 * @example
 * wilsonLowerBound(44, 1_812, 0.95); // => 0.0190…
 */
export function wilsonLowerBound(successes: number, trials: number, confidence: number): number {
  return wilsonInterval(successes, trials, confidence).lower;
}

/**
 * The one-sided Wilson upper bound: the error rate green is below with `confidence`.
 *
 * @example
 * wilsonUpperBound(0, 400, 0.95); // => 0.0067…
 */
export function wilsonUpperBound(successes: number, trials: number, confidence: number): number {
  return wilsonInterval(successes, trials, confidence).upper;
}
