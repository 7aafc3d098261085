/**
 * Issue 9.2, multi-zone faults: a change batch is atomic only inside one hosted zone. Migrations over 2-3 zones
 * run the real state machine with the real handlers while each zone's batch is throttled (not applied) or has
 * its reply lost (applied, then an error) on every write kind: shift, rollback, and the restore after an abort.
 * Some runs regress (Rollback), some are stopped mid-run (on-execution-end restores). Afterwards the reconciler
 * runs once without faults, as the schedule would.
 *
 * Asserted for every run that wrote: every zone ends at the same share, either completed (all 100 % green) or
 * the exact snapshot; no run ends stopped on drift (no one else wrote: its own partial write is never drift);
 * no migration is left unfinished in the registry. Route 53 and the registry are in memory here (hundreds of
 * runs); the adapters are tested against moto in test/contract.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../cli/local-engine.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import type { WeightedPair } from '../../functions/core/types.ts';
import { isAtSnapshot, percentOf } from '../../functions/core/weights.ts';
import { reconcile } from '../../functions/handlers/reconcile.ts';
import { FakeRegistry } from '../support/fake-ports.ts';
import {
  countsText,
  greenPercentReader,
  makeEngine,
  SyntheticMetricSource,
  seededRandom,
  settle,
  shortPlanInput,
  VIRTUAL_START,
} from '../support/robustness-kit.ts';
import { ZonedRouter } from '../support/zoned-router.ts';

const RUNS = 240;
const SEED = 90_210;
/** Per zone batch: throttled 15 %, reply lost 15 %. */
const THROTTLE = 0.15;
const LOST_REPLY = 0.15;
/** No moto here: the engine's own clients are never called (router, registry and metrics are in memory). */
const UNUSED_ENDPOINT = 'http://127.0.0.1:9';

function zonePair(zone: string): WeightedPair {
  const side = (id: string, weight: number, address: string) => ({
    Name: 'api.example.com.',
    Type: 'A',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: address }],
  });
  return {
    hostedZoneId: zone,
    name: 'api.example.com',
    type: 'A',
    blue: side('blue', 100, '10.0.0.1'),
    green: side('green', 0, '10.0.1.1'),
  };
}

interface CampaignRun {
  zones: number;
  wrote: boolean;
  status: string;
  error: string | null;
  completed: boolean;
  atSnapshot: boolean;
  shares: number[];
  unfinished: number;
  reconcilerRestores: number;
}

async function runOnce(
  random: () => number,
  index: number
): Promise<CampaignRun & { router: ZonedRouter; trace: string[] }> {
  const zoneIds = Array.from({ length: 2 + Math.floor(random() * 2) }, (_, i) => `Z${i + 1}ZONE`);
  const snapshot = zoneIds.map(zonePair);
  const records: RecordRef[] = zoneIds.map((hostedZoneId) => ({
    hostedZoneId,
    name: 'api.example.com',
    type: 'A',
    blueSetIdentifier: 'blue',
    greenSetIdentifier: 'green',
  }));
  const router = new ZonedRouter(snapshot);
  const clock = new VirtualClock(VIRTUAL_START);
  const registry = new FakeRegistry(clock);
  const regression = random() < 0.4;
  const stopBeforeTask = random() < 0.35 ? 2 + Math.floor(random() * 14) : -1;
  router.fault = () => {
    const draw = random();
    return draw < THROTTLE ? 'throttled' : draw < THROTTLE + LOST_REPLY ? 'lost-reply' : null;
  };
  let tasks = 0;
  const trace: string[] = [];
  const { engine } = makeEngine({
    onEvent: (event) => {
      if (
        event.type === 'recovery' ||
        event.type === 'task-failed' ||
        event.type === 'execution-ended'
      )
        trace.push(
          `${event.type} ${event.state ?? ''} ${event.error ?? ''} ${JSON.stringify(event.recovery ?? '')}`
        );
    },
    endpoint: UNUSED_ENDPOINT,
    clock,
    router,
    migrationRegistry: registry,
    metrics: new SyntheticMetricSource({
      greenPercent: greenPercentReader(router, records),
      ...(regression ? { failFromPercent: 50 } : {}),
    }),
    beforeTask: () => {
      if (tasks++ === stopBeforeTask) {
        trace.push(`stop before task ${stopBeforeTask}`);
        void engine.stop(executionArn, 'OperatorAbort', 'campaign');
      }
    },
  });
  const { executionArn } = engine.start(
    shortPlanInput(records, { migrationId: `zones-${index}` }),
    `zones-${index}`
  );
  const end = (await engine.endOfChain(executionArn)).at(-1)!;
  await settle(1);
  // The scheduled reconciler, once, ten minutes later (past any write in flight), after the faults are gone.
  router.fault = () => null;
  clock.advance(600);
  const summary = await reconcile({
    router,
    executions: engine.registry,
    registry,
    clock,
    includeLocal: true,
  });
  const pairs = await router.readPairs(records);
  const shares = pairs.map((pair) => percentOf(pair));
  trace.push(`reconcile ${JSON.stringify(summary.results)}`);
  return {
    router,
    trace,
    zones: zoneIds.length,
    wrote: router.writes > 0,
    status: end.status,
    error: end.error,
    completed: end.status === 'SUCCEEDED' && shares.every((share) => share === 100),
    atSnapshot: isAtSnapshot(pairs, snapshot),
    shares,
    unfinished: (await registry.listUnfinished()).length,
    reconcilerRestores: summary.restored,
  };
}

describe('Multi-zone faults: throttled and lost replies per zone on every write kind', () => {
  it(`${RUNS} runs over 2-3 zones: every run that wrote ends with every zone completed or at the exact snapshot`, async () => {
    // Prepare
    const random = seededRandom(SEED);
    const started = Date.now();
    const failures: string[] = [];
    const outcomes: Record<string, number> = {};
    const byZones: Record<string, number> = {};
    const faults: Record<string, number> = {};
    const landed: Record<string, number> = {};
    let wroteRuns = 0;
    let reconcilerRestores = 0;

    // Act
    for (let i = 0; i < RUNS; i++) {
      const run = await runOnce(random, i);
      for (const [kind, n] of Object.entries(run.router.faults))
        faults[kind] = (faults[kind] ?? 0) + n;
      for (const [kind, n] of Object.entries(run.router.landed))
        landed[kind] = (landed[kind] ?? 0) + n;
      if (!run.wrote) continue;
      wroteRuns += 1;
      reconcilerRestores += run.reconcilerRestores;
      byZones[run.zones] = (byZones[run.zones] ?? 0) + 1;
      const outcome = run.completed ? 'completed' : run.atSnapshot ? 'snapshot' : 'split';
      outcomes[`${outcome}:${run.status}:${run.error ?? ''}`] =
        (outcomes[`${outcome}:${run.status}:${run.error ?? ''}`] ?? 0) + 1;

      // Assess (collected, so that every figure is printed first)
      const label = `run ${i} (${run.zones} zones) ${run.status} ${run.error ?? ''}`;
      if (!run.completed && !run.atSnapshot)
        failures.push(
          `${label}: zones at ${run.shares.join('/')} % green, neither completed nor the snapshot; writes: ${run.router.log.join(' | ')}; ${run.trace.join(' | ')}`
        );
      if (run.error === 'StoppedOnDrift')
        failures.push(`${label}: its own write was taken for drift`);
      if (run.unfinished > 0)
        failures.push(`${label}: ${run.unfinished} migration(s) left unfinished`);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // Assess
    console.log(
      `[multi-zone] runs=${RUNS} wrote=${wroteRuns} byZones{${countsText(byZones)}} outcomes{${countsText(outcomes)}} faults{${countsText(faults)}} landedBatches{${countsText(landed)}} reconcilerRestores=${reconcilerRestores} failures=${failures.length} wallSeconds=${seconds}`
    );
    for (const failure of failures.slice(0, 10)) console.log(`[multi-zone] FAILURE ${failure}`);
    expect(failures).toEqual([]);
    expect(wroteRuns).toBeGreaterThanOrEqual(200);
    expect(Object.keys(byZones).sort()).toEqual(['2', '3']);
    for (const kind of ['shift', 'rollback', 'restore'])
      expect(faults[`${kind}:lost-reply`] ?? 0, `${kind}: lost replies`).toBeGreaterThan(0);
  }, 300_000);
});
