/**
 * `npm run bench`: decision quality, cost, cold start and scale, side by side with reference policies.
 * Prints one table (plus per-part detail lines) and writes bench/results.json. Not part of the test run;
 * no pass/fail of its own (the exit code is 0 whenever the measurements ran).
 *
 * Options: --runs N (simulated migrations per scenario and policy, default 2000), --sweep-runs N (per
 * candidate default, default 1000; 0 skips them), --init-runs N (fresh processes per bundle, default 7),
 * --only decision,fair,oracle,cost,cold-start,scale, --fair-runs N (part 1c, default 500), --oracle-runs N
 * (part 1o, runs per scenario to choose h on, and as many fresh ones to report on, default 4000), --out PATH, --merge (keep the parts of the existing output file that this
 * run does not measure, each marked with the commit and date it was measured at).
 * Progress goes to stderr; the table and the details to stdout.
 */
// Handlers log through Powertools: silence them before anything imports functions/lib (dynamic imports below).
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
process.env['AWS_REGION'] ??= 'us-east-1';

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    'sweep-runs': { type: 'string', default: '1000' },
    'init-runs': { type: 'string', default: '7' },
    only: { type: 'string', default: 'decision,fair,oracle,cost,cold-start,scale' },
    'fair-runs': { type: 'string', default: '500' },
    'oracle-runs': { type: 'string', default: '4000' },
    out: { type: 'string', default: 'bench/results.json' },
    merge: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const SWEEP_RUNS = Number(args['sweep-runs']);
const INIT_RUNS = Math.max(1, Number(args['init-runs']));
const ONLY = new Set((args.only ?? '').split(',').map((part) => part.trim()));

const progress = (message: string) => process.stderr.write(`${message}\n`);
const started = performance.now();

function git(...argv: string[]): string {
  try {
    return execFileSync('git', argv, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

const machine = {
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  date: new Date().toISOString(),
  gitCommit: git('rev-parse', 'HEAD'),
  /** Uncommitted changes under functions/, cli/, statemachine/ when measured (others work in parallel). */
  gitDirty: git('status', '--porcelain', '--', 'functions', 'cli', 'statemachine')
    .split('\n')
    .filter((line) => line !== ''),
};

// ---------- formatting ----------

const pct = (value: number, digits = 1) => `${(value * 100).toFixed(digits)}%`;
const num = (value: number) => Math.round(value).toLocaleString('en-US');
const usd = (value: number) => `$${value.toFixed(4)}`;

interface Row {
  part: string;
  measure: string;
  ours: string;
  codedeploy?: string;
  flagger?: string;
  goal: string;
  met: string;
  on: string;
}

function renderTable(rows: readonly Row[]): string {
  const header: Row = {
    part: 'Part',
    measure: 'Measure',
    ours: 'ours / value',
    codedeploy: 'CodeDeploy-style',
    flagger: 'Flagger-style',
    goal: 'Goal',
    met: 'Met',
    on: 'Measured on',
  };
  const keys = ['part', 'measure', 'ours', 'codedeploy', 'flagger', 'goal', 'met', 'on'] as const;
  const all = [header, ...rows];
  const widths = keys.map((key) => Math.max(...all.map((row) => (row[key] ?? '').length)));
  const line = (row: Row) =>
    keys
      .map((key, i) => (row[key] ?? '').padEnd(widths[i] as number))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const rows: Row[] = [];
const details: string[] = [];
/** Ours' row of part 1c, as far as part 1o reads it. */
interface FairOurs {
  falseRollbackPct: { healthy: number; flapping: number };
  falseRollbackPctMax: number;
  restoreMedianSeconds: number | null;
  floorRestoreMedianSeconds: number | null;
}
const results: Record<string, unknown> = { machine };

// ---------- part 1: decision quality ----------

if (ONLY.has('decision')) {
  const { runDecisionQuality, MISSED_HORIZON_MINUTES } = await import('./decision-quality.ts');
  const { oursPolicy, referenceInput } = await import('./policies/ours.ts');
  const { codeDeployPolicy, CODEDEPLOY_DEFAULTS } = await import('./policies/codedeploy.ts');
  const { flaggerPolicy } = await import('./policies/flagger.ts');
  const { TRAFFIC_SCENARIOS, NOISE } = await import('./traffic.ts');
  progress(`part 1: decision quality, ${RUNS} simulated migrations per scenario and policy`);
  const ours = oursPolicy('ours (defaults)', referenceInput());
  const codedeploy = codeDeployPolicy();
  const flagger = flaggerPolicy();
  const codedeployNoWatch = {
    ...codeDeployPolicy({ ...CODEDEPLOY_DEFAULTS, terminationWaitMinutes: 0 }),
    name: 'CodeDeploy-style, no alarm watch after 100 %',
  };
  const started1 = performance.now();
  const main = runDecisionQuality({
    runs: RUNS,
    policies: [ours, codedeploy, flagger, codedeployNoWatch],
    onProgress: progress,
  });
  const get = (scenario: string, policy: string) => {
    const found = main.find((r) => r.scenario === scenario && r.policy === policy);
    if (found === undefined) throw new Error(`no result for ${scenario} / ${policy}`);
    return found;
  };
  const trio = [ours.name, codedeploy.name, flagger.name] as const;
  const on = `${RUNS} sim. runs`;
  const triple = (scenario: string, format: (r: ReturnType<typeof get>) => string) => {
    const [a, b, c] = trio.map((policy) => format(get(scenario, policy)));
    return { ours: a as string, codedeploy: b as string, flagger: c as string };
  };
  const fr = (r: ReturnType<typeof get>) =>
    `${pct(r.falseRollbackRate)} (<= ${pct(r.falseRollbackRateUpper95)})`;
  const frOurs = (scenario: string) => get(scenario, ours.name).falseRollbackRate;
  for (const scenario of ['healthy', 'flapping'] as const) {
    rows.push({
      part: rows.length === 0 ? '1 decision quality' : '',
      measure: `false rollbacks, ${scenario} (95% upper)`,
      ...triple(scenario, fr),
      goal: '<= 0.5%',
      met: frOurs(scenario) <= 0.005 ? 'yes' : 'no',
      on,
    });
  }
  const lowTraffic = (r: ReturnType<typeof get>) => {
    const trigger = Object.entries(r.triggers).sort((a, b) => b[1] - a[1])[0]?.[0];
    return r.rolledBack === 0
      ? `completes ${pct(r.completed / r.runs, 0)}`
      : `rolls back ${pct(r.rolledBack / r.runs)}${trigger ? ` (${trigger})` : ''}`;
  };
  rows.push({
    part: '',
    measure: 'low traffic (100 req/min): what happens',
    ...triple('low-traffic', lowTraffic),
    goal: 'false rollbacks <= 0.5%',
    met: frOurs('low-traffic') <= 0.005 ? 'yes' : 'no',
    on,
  });
  rows.push({
    part: '',
    measure: 'healthy: minutes to complete (median)',
    ...triple('healthy', (r) => `${r.medianMinutesToComplete ?? '-'}`),
    goal: '',
    met: '',
    on,
  });
  for (const [scenario, label] of [
    ['error-regression', '5xx'],
    ['latency-regression', 'slow'],
  ] as const) {
    const reg = (r: ReturnType<typeof get>) => {
      if (r.regression === null) throw new Error('regression summary missing');
      return r.regression;
    };
    rows.push({
      part: '',
      measure: `${scenario}: detected`,
      ...triple(scenario, (r) => pct(reg(r).detectionRate)),
      goal: '',
      met: '',
      on,
    });
    rows.push({
      part: '',
      measure: `${scenario}: onset -> rollback complete p50/p95`,
      ...triple(scenario, (r) => {
        const t = reg(r).minutesOnsetToRollbackComplete;
        return `${t.median ?? '-'} / ${t.p95 ?? '-'} min`;
      }),
      goal: '',
      met: '',
      on,
    });
    const oursBad = reg(get(scenario, ours.name)).badRequests;
    const others = [codedeploy.name, flagger.name].map(
      (policy) => reg(get(scenario, policy)).badRequests
    );
    const better = others.every((other) => oursBad.mean + oursBad.ci95 < other.mean - other.ci95);
    const worse = others.some((other) => oursBad.mean - oursBad.ci95 > other.mean + other.ci95);
    rows.push({
      part: '',
      measure: `${scenario}: ${label} requests served, mean +/- 95% CI`,
      ...triple(scenario, (r) => {
        const b = reg(r).badRequests;
        return `${num(b.mean)} +/- ${num(b.ci95)}`;
      }),
      goal: 'fewer than both',
      met: better ? 'yes' : worse ? 'no' : 'no (within noise)',
      on,
    });
  }
  // Candidate defaults: the same scenarios with other values of the defaults in functions/core/input.ts.
  progress(`part 1b: candidate defaults, ${SWEEP_RUNS} runs each`);
  const base = referenceInput();
  const withDefaults = (
    name: string,
    thresholds: Record<string, unknown>,
    limits: Record<string, unknown>,
    metrics: Record<string, unknown> = {}
  ) =>
    oursPolicy(name, {
      ...base,
      thresholds,
      limits,
      metrics: { ...(base.metrics as object), ...metrics } as typeof base.metrics,
    });
  const fourScenarios = ['healthy', 'flapping', 'error-regression', 'latency-regression'] as const;
  // Each candidate changes only what its name says; everything else stays at the defaults.
  const candidates = [
    {
      policy: withDefaults('ours (defaults)', {}, {}),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'former defaults on independent windows: confidence 0.95, maxConsecutiveFailures 1, maxFailures 2, publicationDelay 180 s',
        { confidence: 0.95 },
        { maxConsecutiveFailures: 1, maxFailures: 2 },
        { publicationDelaySeconds: 180 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'publicationDelay 180 s (a multiple of 60: the first minute of every step goes unjudged)',
        {},
        {},
        { publicationDelaySeconds: 180 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        "publicationDelay 120 s (Datadog's figure; in this world a third of the minutes are not published yet at 120 s)",
        {},
        {},
        { publicationDelaySeconds: 120 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'two confirmations: maxConsecutiveFailures 1, maxFailures 4, confidence 0.997, baseline.errorRateMinDeltaPercent 0.8',
        { confidence: 0.997, baseline: { errorRateMinDeltaPercent: 0.8 } },
        { maxConsecutiveFailures: 1, maxFailures: 4 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'two confirmations at confidence 0.99, baseline.errorRateMinDeltaPercent 0.5, maxFailures 4',
        { confidence: 0.99 },
        { maxConsecutiveFailures: 1, maxFailures: 4 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'minEvidenceMinutes 2 (the former default: two consecutive bursts above the baseline limit roll back)',
        { minEvidenceMinutes: 2 },
        {}
      ),
      scenarios: ['healthy', 'flapping', 'error-regression'] as const,
    },
    {
      policy: withDefaults(
        'confidence 0.8, maxFailures 10',
        { confidence: 0.8 },
        { maxFailures: 10 }
      ),
      scenarios: fourScenarios,
    },
    {
      policy: withDefaults(
        'ours + thresholds.latencyAvgMaxMs 130 (user setting)',
        { latencyAvgMaxMs: 130 },
        {}
      ),
      scenarios: ['healthy', 'latency-regression'] as const,
    },
    {
      policy: withDefaults(
        'ours + limits.onInconclusiveLimit hold',
        {},
        { onInconclusiveLimit: 'hold' }
      ),
      scenarios: ['low-traffic'] as const,
    },
  ];
  // --sweep-runs 0 skips the candidate defaults (a faster look at the defaults alone).
  const sweep = (SWEEP_RUNS > 0 ? candidates : []).flatMap((candidate) =>
    runDecisionQuality({
      runs: SWEEP_RUNS,
      policies: [candidate.policy],
      scenarios: candidate.scenarios,
      onProgress: progress,
    })
  );
  const elapsed1 = Math.round((performance.now() - started1) / 100) / 10;

  details.push(
    '',
    'Part 1: decision quality (pure core in virtual time, bench/decision-quality.ts)'
  );
  details.push(
    `  ${RUNS} seeded migrations per scenario and policy (same seeds for every policy), ${elapsed1} s; the candidate defaults below ${SWEEP_RUNS} runs each.`
  );
  for (const name of Object.keys(TRAFFIC_SCENARIOS) as (keyof typeof TRAFFIC_SCENARIOS)[])
    details.push(`  scenario ${name}: ${TRAFFIC_SCENARIOS[name].description}`);
  details.push(
    `  noise: request rate log-sd ${NOISE.rateSigma} per minute and a +/-${NOISE.dailySwing * 100}% daily swing; realised DNS share log-sd ${NOISE.shareSigma}; 5xx probability log-sd ${NOISE.errorSigma}; latency level log-sd ${NOISE.latencySigma} plus per-request CV 1; ${NOISE.clientErrorShare * 100}% 4xx; publication delay U(${NOISE.publicationDelaySeconds.join(', ')}) s after the minute, ${NOISE.latePublication.probability * 100}% of minutes U(${NOISE.latePublication.delaySeconds.join(', ')}) s.`
  );
  details.push(
    '  DNS for every policy: a write is INSYNC after 60 s, then the share moves to the new weight over the 60 s TTL; a rollback is complete 120 s after it is written.'
  );
  details.push(
    `  bad requests: what green served from the regression's onset to rollback complete; a missed regression counts ${MISSED_HORIZON_MINUTES} min after onset (assumption). False rollback: any rollback without a regression behind it.`
  );
  for (const policy of [ours, codedeploy, flagger])
    for (const line of policy.parameters) details.push(`  ${policy.name}: ${line}`);
  details.push(
    `  ${codedeployNoWatch.name}: ${codedeployNoWatch.parameters.at(-1) ?? ''} (a variant: whether alarms still roll back during the termination wait is not documented)`
  );
  for (const scenario of ['error-regression', 'latency-regression'] as const) {
    const parts = trio.map((policy) => {
      const b = get(scenario, policy).regression?.badRequests;
      return b ? `${policy} p50 ${num(b.median)}, p95 ${num(b.p95)}` : policy;
    });
    details.push(`  ${scenario} requests served while regressed: ${parts.join('; ')}`);
  }
  details.push(
    '  bad requests by the share at which the regression appeared (mean; detection rate):'
  );
  for (const scenario of ['error-regression', 'latency-regression'] as const) {
    for (const policy of [...trio, codedeployNoWatch.name]) {
      const r = get(scenario, policy).regression;
      if (r === null) continue;
      const parts = Object.entries(r.meanBadRequestsByOnsetShare).map(
        ([share, bad]) =>
          `${share}: ${num(bad)} (${pct(r.detectionRateByOnsetShare[share] ?? 0, 0)})`
      );
      details.push(`    ${scenario} / ${policy}: ${parts.join(', ')}`);
    }
  }
  const nw = get('error-regression', codedeployNoWatch.name).regression;
  const nwHealthy = get('healthy', codedeployNoWatch.name);
  if (nw !== null)
    details.push(
      `  if CodeDeploy stops watching alarms at 100 %: error-regression bad requests mean ${num(nw.badRequests.mean)}, detected ${pct(nw.detectionRate)}; healthy false rollbacks ${pct(nwHealthy.falseRollbackRate)}.`
    );
  for (const policy of trio) {
    const triggers = main
      .filter((r) => r.policy === policy && Object.keys(r.triggers).length > 0)
      .map(
        (r) =>
          `${r.scenario} ${Object.entries(r.triggers)
            .map(([trigger, n]) => `${trigger} ${n}`)
            .join(', ')}`
      );
    details.push(`  rollback triggers, ${policy}: ${triggers.join('; ') || 'none'}`);
  }
  const lt = get('low-traffic', ours.name);
  details.push(
    `  low traffic, ours: at 1 % green even the longest window (windowSeconds 300 s) holds ~5 requests < minRequests 50, so every evaluation is Inconclusive; the run holds, then takes the configured action (onInconclusiveLimit rollback) after maxInconclusive 30: median ${lt.medianMinutesToRollback ?? '-'} min after the start. The first step is judgeable from about 50 / (5 min x 1 %) = 1,000 req/min overall.`
  );
  details.push('  candidate defaults (ours with other defaults; same scenarios and seeds):');
  const byPolicy = new Map<string, typeof sweep>();
  for (const r of sweep) byPolicy.set(r.policy, [...(byPolicy.get(r.policy) ?? []), r]);
  for (const [policy, list] of byPolicy) {
    const parts = list.map((r) => {
      if (r.regression === null)
        return `${r.scenario} FR ${pct(r.falseRollbackRate)}${r.held > 0 ? `, held ${pct(r.held / r.runs)}` : ''}`;
      return `${r.scenario} detected ${pct(r.regression.detectionRate)}, bad mean ${num(r.regression.badRequests.mean)}, onset->rollback p50 ${r.regression.minutesOnsetToRollbackComplete.median} min, FR ${pct(r.falseRollbackRate)}`;
    });
    details.push(`    ${policy}: ${parts.join('; ')}`);
  }
  results['decisionQuality'] = {
    runsPerScenarioAndPolicy: RUNS,
    sweepRunsPerCandidate: SWEEP_RUNS,
    missedHorizonMinutes: MISSED_HORIZON_MINUTES,
    scenarios: Object.fromEntries(
      Object.entries(TRAFFIC_SCENARIOS).map(([name, s]) => [name, s.description])
    ),
    noise: NOISE,
    policies: Object.fromEntries(
      [ours, codedeploy, flagger, codedeployNoWatch].map((p) => [p.name, p.parameters])
    ),
    results: main,
    candidateDefaults: sweep,
    seconds: elapsed1,
  };
}

// ---------- part 2: cost ----------

if (ONLY.has('cost')) {
  progress('part 2: cost of the reference migration (local engine + moto)');
  const { runCost, price } = await import('./cost.ts');
  const cost = await runCost(progress);
  const main = cost.runs[0];
  if (main === undefined) throw new Error('no cost run');
  const on = 'local run (LocalEngine + moto)';
  rows.push({
    part: '2 cost',
    measure: 'state transitions, reference migration',
    ours: `${main.stateTransitions}`,
    goal: '<= 250',
    met: main.stateTransitions <= 250 ? 'yes' : 'no',
    on,
  });
  rows.push({
    part: '',
    measure: 'AWS charges, reference migration',
    ours: usd(cost.pricing.totalUpperUsd),
    goal: '< $0.01',
    met: cost.pricing.totalUpperUsd < 0.01 ? 'yes' : 'no',
    on,
  });
  rows.push({
    part: '',
    measure: 'Lambda invocations / GetMetricData metrics',
    ours: `${main.lambdaInvocations} / ${num(main.getMetricDataMetrics)}`,
    goal: '',
    met: '',
    on,
  });
  details.push('', 'Part 2: cost (bench/cost.ts)');
  details.push(
    `  reference migration: steps 1, 5, 10, 25, 50, 75, 100; 10-min bakes; 1-min evaluations; 10-min final bake; 2 record pairs in one zone (cli/seed.ts); green discovery names orders, payments and blue orders-appmesh, payments-appmesh (baseline on); healthy traffic 3,000 req/min; defaults otherwise.`
  );
  for (const run of cost.runs) {
    details.push(
      `  ${run.label}: ${run.outcome} after ${run.virtualMinutes} virtual min (${run.wallSeconds} s wall); ${run.stateTransitions} transitions, ${run.historyEvents} history events, ${run.lambdaInvocations} Lambda invocations (${Object.entries(
        run.invocationsByFunction
      )
        .map(([fn, n]) => `${fn} ${n}`)
        .join(
          ', '
        )}), ${run.evaluations} evaluations (${run.publicationLooks} of them publication looks that judged nothing), ${num(run.getMetricDataMetrics)} GetMetricData metrics, ${run.putEventsEntries} PutEvents entries; ${usd(price(run).totalUpperUsd)}`
    );
  }
  details.push(
    `  API calls (main run): ${Object.entries(main.apiCalls)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}; Step Functions control plane: ${Object.entries(main.stepFunctionsApiCalls)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')}.`
  );
  details.push(
    `  handler time measured here (moto on loopback): median ${main.handlerMs.median} ms, p95 ${main.handlerMs.p95} ms, total ${main.handlerMs.total} ms.`
  );
  details.push(
    `  GetMetricData metrics per evaluation: ${cost.metricsPerEvaluation} (per discovery name: 4 status counts, RequestCount only where they miss a minute of the range read, plus only the latency statistics a configured check reads; here Average and SampleCount for the baseline, green and blue).`
  );
  details.push(
    `  GetMetricData metrics if up to five statistics of one metric in one request bill as one metric (a disputed reading of the pricing page, not priced: bench/grouped-metrics.ts): ${num(main.getMetricDataMetricsGrouped)} instead of ${num(main.getMetricDataMetrics)}.`
  );
  details.push('  priced items (main run):');
  for (const item of cost.pricing.items)
    details.push(
      `    ${item.item}: ${num(item.quantity)} ${item.unit} = ${usd(item.usd)} [${item.source}]`
    );
  results['cost'] = cost;
}

// ---------- part 3: cold start ----------

if (ONLY.has('cold-start')) {
  progress(`part 3: cold start (esbuild bundles, ${INIT_RUNS} fresh processes per bundle)`);
  const { runColdStart } = await import('./cold-start.ts');
  const cold = await runColdStart({ runs: INIT_RUNS, onProgress: progress });
  const on = `esbuild bundle, ${cold.runs} node runs`;
  const slowest = [...cold.bundles].sort(
    (a, b) => b.initInProcessMs.median - a.initInProcessMs.median
  )[0];
  const largest = [...cold.bundles].sort((a, b) => b.bytes - a.bytes)[0];
  const extra = cold.bundles.filter((b) => b.extraClients.length > 0);
  const overSize = cold.bundles.filter((b) => b.bytes > 600 * 1024).map((b) => b.fn);
  const overInit = cold.bundles.filter((b) => b.initInProcessMs.median > 100).map((b) => b.fn);
  if (slowest && largest) {
    rows.push({
      part: '3 cold start',
      measure: 'module init in process, slowest function (median)',
      ours: `${slowest.initInProcessMs.median} ms, min ${slowest.initInProcessMs.min} ms (${slowest.fn})`,
      goal: '<= 100 ms',
      met: overInit.length === 0 ? 'yes' : `no (${overInit.length}/${cold.bundles.length})`,
      on,
    });
    rows.push({
      part: '',
      measure: 'bundle size, largest function',
      ours: `${Math.round(largest.bytes / 1024)} KB (${largest.fn})`,
      goal: '<= 600 KB',
      met: overSize.length === 0 ? 'yes' : `no (${overSize.length}/${cold.bundles.length})`,
      on,
    });
    rows.push({
      part: '',
      measure: 'bundles with only the clients they use',
      ours: `${cold.bundles.length - extra.length}/${cold.bundles.length}`,
      goal: 'all',
      met: extra.length === 0 ? 'yes' : 'no',
      on: 'esbuild metafile',
    });
  }
  details.push('', 'Part 3: cold start (bench/cold-start.ts)');
  details.push(
    `  Node ${cold.node} on ${machine.cpu} (${machine.cores} cores, shared with other work: medians move by ~30 % between runs); bare \`node -e 0\` ${cold.bareNodeWallMs} ms; init = median of ${cold.runs} fresh processes: in process = performance.now() around import(bundle), wall = node bundle.mjs minus bare node.`
  );
  details.push(
    `  as deployed: mainFields ${cold.mainFields.join(',')}, NODE_OPTIONS ${cold.nodeOptions} (every init figure here includes it, except "without NODE_OPTIONS").`
  );
  for (const reference of cold.references)
    details.push(
      `  reference bundle "${reference.label}": ${Math.round(reference.bytes / 1024)} KB, init ${reference.initInProcessMs.median} ms (min ${reference.initInProcessMs.min})`
    );
  details.push(
    `  with External @aws-sdk/* and @smithy/* (the nodejs24.x runtime's SDK): ${Object.entries(
      cold.sdkExternalBytes
    )
      .map(([fn, bytes]) => `${fn} ${Math.round(bytes / 1024)} KB`)
      .join(', ')}.`
  );
  for (const b of cold.bundles) {
    details.push(
      `  ${b.fn.padEnd(17)} ${String(Math.round(b.bytes / 1024)).padStart(4)} KB  init ${b.initInProcessMs.median} ms (min ${b.initInProcessMs.min}, max ${b.initInProcessMs.max}), CPU ${b.initCpuMs.median} ms, wall ${b.initWallMs.median} ms, without NODE_OPTIONS ${b.initInProcessWithoutNodeOptionsMs.median} ms (min ${b.initInProcessWithoutNodeOptionsMs.min}); clients ${b.clients.map((c) => c.replace('@aws-sdk/client-', '')).join(', ') || 'none'}${b.extraClients.length > 0 ? ` (NOT imported by the handler: ${b.extraClients.join(', ')})` : ''}; largest: ${b.topPackages
        .slice(0, 4)
        .map((p) => `${p.name} ${p.kb} KB`)
        .join(', ')}`
    );
  }
  results['coldStart'] = cold;
}

// ---------- part 4: scale ----------

if (ONLY.has('scale')) {
  progress('part 4: scale (real handlers and adapters, counting fake SDK clients)');
  const { runScale, SYNC_POLLS_PER_STEP } = await import('./scale.ts');
  const scale = await runScale(progress);
  const sum = (calls: Record<string, number>, exclude: string[] = ['record changes']) =>
    Object.entries(calls)
      .filter(([key]) => !exclude.includes(key))
      .reduce((total, [, n]) => total + n, 0);
  const stepCalls = (row: (typeof scale.routeRows)[number]) =>
    sum(row.shift) + SYNC_POLLS_PER_STEP * sum(row.perSyncPoll);
  const on = 'real adapters, fake SDK';
  rows.push({
    part: '4 scale',
    measure: 'API calls per step, 1 / 10 / 50 record pairs in 1 zone',
    ours: scale.routeRows
      .filter((row) => row.zones === 1)
      .map((row) => `${stepCalls(row)}`)
      .join(' / '),
    goal: '',
    met: '',
    on,
  });
  rows.push({
    part: '',
    measure: 'API calls per step, 10 / 50 record pairs, one zone each',
    ours: scale.routeRows
      .filter((row) => row.zones > 1)
      .map((row) => `${stepCalls(row)}`)
      .join(' / '),
    goal: '',
    met: '',
    on,
  });
  rows.push({
    part: '',
    measure: 'GetMetricData calls / metrics per evaluation, 1 / 10 / 100 names',
    ours: scale.metricRows
      .filter((row) => row.blueNames === 0)
      .map(
        (row) =>
          `${row.perEvaluation['GetMetricData'] ?? 0}/${row.getMetricDataMetricsPerEvaluation}`
      )
      .join(' / ')
      .concat(
        `; with as many blue names ${scale.metricRows
          .filter((row) => row.blueNames > 0)
          .map(
            (row) =>
              `${row.perEvaluation['GetMetricData'] ?? 0}/${row.getMetricDataMetricsPerEvaluation}`
          )
          .join(' / ')}`
      ),
    goal: '',
    met: '',
    on,
  });
  const perHour = scale.history.rates[0];
  rows.push({
    part: '',
    measure: 'history events per hour of baking (1-min evaluations)',
    ours: perHour
      ? `${perHour.eventsPerBakeHour}/h; ContinueAsNew after ~${perHour.hoursPerExecution} h`
      : '-',
    goal: '',
    met: '',
    on: 'core/history.ts constants',
  });
  details.push('', 'Part 4: scale (bench/scale.ts)');
  details.push(
    `  a step = ShiftTraffic + ${SYNC_POLLS_PER_STEP} CheckDnsSync poll(s) (INSYNC after ~60 s, dns.syncPollSeconds 60); calls exclude the records inside a batch.`
  );
  for (const row of scale.routeRows) {
    details.push(
      `  ${row.pairs} pair(s) in ${row.zones} zone(s): preflight ${JSON.stringify(row.preflight)}; ShiftTraffic ${JSON.stringify(row.shift)}; per poll ${JSON.stringify(row.perSyncPoll)}; rollback ${JSON.stringify(row.rollback)}`
    );
  }
  for (const row of scale.metricRows) {
    details.push(
      `  ${row.greenNames} green + ${row.blueNames} blue discovery names: per evaluation ${JSON.stringify(row.perEvaluation)}, ${row.getMetricDataMetricsPerEvaluation} metrics = ${usd(row.getMetricDataMetricsPerEvaluation * 0.00001)}; preflight ListMetrics ${row.preflight['ListMetrics'] ?? 0}`
    );
  }
  details.push(
    `  history (functions/core/history.ts): ${Object.entries(scale.history.constants)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', '
      )}; a step with ${SYNC_POLLS_PER_STEP} polls = ${scale.history.eventsPerStep(SYNC_POLLS_PER_STEP)} events.`
  );
  for (const rate of scale.history.rates)
    details.push(
      `    evaluations every ${rate.evaluationIntervalSeconds} s${rate.looksPerEvaluation > 1 ? `, ${rate.looksPerEvaluation} looks each (publication polling, worst case)` : ''}: ${rate.eventsPerBakeHour} events per hour of baking; one execution holds ~${rate.hoursPerExecution} h before ContinueAsNew`
    );
  const cost = results['cost'] as
    | { runs: { label: string; historyEvents: number; virtualMinutes: number }[] }
    | undefined;
  const localRun = cost?.runs[0];
  if (localRun)
    details.push(
      `    local run (part 2): ${localRun.historyEvents} events in ${localRun.virtualMinutes} min = ${Math.round((localRun.historyEvents / localRun.virtualMinutes) * 60)} per hour of migration`
    );
  results['scale'] = {
    ...scale,
    history: { ...scale.history, eventsPerStep: undefined },
    syncPollsPerStep: SYNC_POLLS_PER_STEP,
  };
}

// ---------- part 1c: the fair comparison ----------

if (ONLY.has('fair')) {
  const { runFair, fairDetails } = await import('./fair.ts');
  progress(`part 1c: the fair comparison, ${args['fair-runs']} runs per scenario and setting`);
  const fair = runFair(Number(args['fair-runs']));
  const { ours, bestReferenceAtMatchedFalseRollback: best } = fair.comparison;
  const on = `${fair.runs} sim. runs x ${fair.rows.length} settings`;
  for (const model of ['aligned', 'uniform'] as const) {
    const top = best[model];
    rows.push({
      part: model === 'aligned' ? '1c fair comparison' : '',
      measure: `5xx served, ${model} onsets: ours vs best reference at FR <= ours (floor)`,
      ours: `${ours.badRequests[model]} (floor ${ours.floorBadRequests[model]})`,
      codedeploy:
        top === null
          ? 'none at that FR'
          : `${top.badRequests} (${top.policy}; floor ${top.floorBadRequests})`,
      goal: 'fewer than every reference at FR <= ours',
      met: top === null || ours.badRequests[model] < top.badRequests ? 'yes' : 'no',
      on,
    });
  }
  rows.push({
    part: '',
    measure: 'false rollbacks healthy / flapping, same seeds (sticky clients)',
    ours: `${ours.falseRollbackPct.healthy} % / ${ours.falseRollbackPct.flapping} %`,
    goal: '<= 0.5 %',
    met: ours.falseRollbackPctMax <= 0.5 ? 'yes' : 'no',
    on,
  });
  rows.push({
    part: '',
    measure: 'onset -> restored, median at shares >= 25 % (aligned)',
    ours: `${ours.restoreMedianSeconds ?? '-'} s (floor ${ours.floorRestoreMedianSeconds ?? '-'} s)`,
    goal: '<= floor + 60 s',
    met:
      ours.restoreMedianSeconds !== null &&
      ours.floorRestoreMedianSeconds !== null &&
      ours.restoreMedianSeconds <= ours.floorRestoreMedianSeconds + 60
        ? 'yes'
        : 'no',
    on,
  });
  details.push(...fairDetails(fair));
  results['fair'] = fair;
}

// ---------- part 1o: the best known detector ----------

if (ONLY.has('oracle')) {
  const { runOracle } = await import('./oracle-curve.ts');
  const { oracleDetails, oracleRow, variantDetails } = await import('./oracle-report.ts');
  // Ours from part 1c: this run's, else the output file's or bench/results.json's (printed beside it).
  type FairPart = { runs: number; comparison: { ours: FairOurs } };
  const fairNow = results['fair'] as FairPart | undefined;
  const before = [args.out ?? '', 'bench/results.json'].find((path) => existsSync(path));
  const fairBefore =
    before === undefined
      ? undefined
      : (JSON.parse(readFileSync(before, 'utf8')) as { fair?: FairPart }).fair;
  const fairPart = fairNow ?? fairBefore;
  const ours = fairPart?.comparison.ours ?? null;
  progress(
    `part 1o: the best known detector, ${args['oracle-runs']} + ${args['oracle-runs']} runs per scenario`
  );
  const settings = {
    runs: Number(args['oracle-runs']),
    // Ours' rate on part 1c's runs: the oracle's h at that rate is chosen on as many runs.
    ...(ours === null || fairPart === undefined
      ? {}
      : { matched: { falseRollbackPct: ours.falseRollbackPctMax, runs: fairPart.runs } }),
    onProgress: progress,
  };
  const oracle = runOracle(settings);
  const greenOnly = runOracle({ ...settings, detector: 'green-only' });
  // Sensitivity: the reference granted the onset model, which no detector should assume.
  const stepSettled = runOracle({ ...settings, onsets: 'step-settled' });
  rows.push(oracleRow(oracle, greenOnly, ours));
  details.push(
    ...oracleDetails(oracle, ours),
    ...variantDetails(greenOnly),
    ...variantDetails(stepSettled)
  );
  results['oracle'] = { ...oracle, variants: { greenOnly }, sensitivities: { stepSettled } };
}

// ---------- output ----------

const seconds = Math.round((performance.now() - started) / 100) / 10;
const outPath = args.out ?? 'bench/results.json';
if (args.merge && existsSync(outPath)) {
  const previous = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown> & {
    machine?: { gitCommit?: string; date?: string };
    carriedOver?: Record<string, unknown>;
  };
  const carriedOver: Record<string, unknown> = {};
  for (const part of ['decisionQuality', 'fair', 'oracle', 'cost', 'coldStart', 'scale']) {
    if (part in results || previous[part] === undefined) continue;
    results[part] = previous[part];
    carriedOver[part] = previous.carriedOver?.[part] ?? {
      gitCommit: previous.machine?.gitCommit,
      date: previous.machine?.date,
    };
  }
  if (Object.keys(carriedOver).length > 0) results['carriedOver'] = carriedOver;
}
{
  const { summarize } = await import('./summary.ts');
  results['summary'] = summarize(results as Parameters<typeof summarize>[0]);
}
results['table'] = rows;
results['seconds'] = seconds;
writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
const dirty =
  machine.gitDirty.length > 0 ? ` (+${machine.gitDirty.length} uncommitted changes)` : '';
console.log(
  `traffic-shift bench: node ${machine.node}, ${machine.cpu} x ${machine.cores}, ${machine.memoryGb} GB, commit ${machine.gitCommit.slice(0, 12)}${dirty}, ${machine.date}`
);
console.log('');
console.log(renderTable(rows));
for (const line of details) console.log(line);
console.log('');
console.log(`wrote ${args.out} in ${seconds} s`);
