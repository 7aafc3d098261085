/**
 * DynamoDbControlStore against a real moto_server: the conditional UpdateItem that stores operator control
 * (compare-and-swap on the control revision, conditional on the entry's version and owner, version left
 * alone), and the registry's whole-item writes (finish) keeping the control they read.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbControlStore } from '../../functions/adapters/dynamodb-control-store.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { type ControlState, requestControl } from '../../functions/core/control.ts';
import { RegistryBusyError, RegistryConflictError } from '../../functions/core/errors.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { ownerOf } from '../../functions/lib/ownership.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry, TEST_STATE_MACHINE } from '../support/registry-entry.ts';

let moto: Moto;
let registry: DynamoDbMigrationRegistry;
let store: DynamoDbControlStore;
const arnOf = (name: string) =>
  `${TEST_STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
const AT = new Date('2026-09-14T08:00:00.000Z');

beforeAll(async () => {
  moto = await startMoto();
  const client = new DynamoDBClient(clientConfig(moto.endpoint));
  registry = new DynamoDbMigrationRegistry(client, 'control');
  store = new DynamoDbControlStore(client, 'control');
  await registry.createTableIfMissing();
});
afterAll(async () => {
  await moto.stop();
});

function pauseBy(by: string, current?: ControlState): ControlState {
  const result = requestControl(
    current,
    { action: 'pause', timeoutSeconds: 600, onTimeout: 'rollback' },
    { by, at: AT }
  );
  if (!result.ok) throw new Error(result.refusal);
  return result.control;
}

async function running(migrationId: string) {
  const entry = await registry.acquire(
    registryEntry(migrationId, arnOf(migrationId), `Z${migrationId}`)
  );
  return registry.update(migrationId, ownerOf(entry), { phase: MigrationPhase.Running });
}

describe('DynamoDbControlStore (moto)', () => {
  it('stores control without moving version; the owner update that follows still succeeds', async () => {
    // Prepare
    const entry = await running('cas');

    // Act
    await store.writeControl('cas', ownerOf(entry), 0, pauseBy('ana'));
    const after = await registry.get('cas');
    const ownerWrite = await registry.update('cas', ownerOf(entry), { pending: null });

    // Assess
    expect(after?.control?.audit).toHaveLength(1);
    expect(after?.version).toBe(entry.version);
    expect(ownerWrite.control?.pause?.by).toBe('ana');
  });

  it('of two operators who read the same revision, the second is refused (no lost audit line)', async () => {
    // Prepare
    const entry = await running('race');
    await store.writeControl('race', ownerOf(entry), 0, pauseBy('ana'));
    const read = (await registry.get('race'))!;

    // Act
    await store.writeControl('race', ownerOf(read), 1, pauseBy('bob', read.control));
    const second = store.writeControl('race', ownerOf(read), 1, pauseBy('eve', read.control));

    // Assess
    await expect(second).rejects.toBeInstanceOf(RegistryConflictError);
    expect((await registry.get('race'))?.control?.audit.map((line) => line.by)).toEqual([
      'ana',
      'bob',
    ]);
  });

  it("an owner update carrying control (a gate's audit line) is refused when a pause was stored after its read", async () => {
    // Prepare: the gate reads the entry (no control yet), an operator pauses, the gate writes its audit line.
    const entry = await running('gate-first');
    const gateLine = {
      at: AT.toISOString(),
      by: 'traffic-shift',
      action: 'gate-timeout',
      step: 50,
    };
    await store.writeControl('gate-first', ownerOf(entry), 0, pauseBy('ana'));

    // Act
    const first = registry
      .update('gate-first', ownerOf(entry), {
        control: { revision: 1, pause: null, promote: null, audit: [gateLine] },
      })
      .catch((error) => error);

    // Assess
    expect(await first).toBeInstanceOf(RegistryConflictError);
    expect((await registry.get('gate-first'))?.control?.pause?.by).toBe('ana');
  });

  it('an owner update carrying control keeps a pause stored between its read and its write (revision compared)', async () => {
    // Prepare
    const entry = await running('gate-later');
    await store.writeControl('gate-later', ownerOf(entry), 0, pauseBy('ana'));
    const read = (await registry.get('gate-later'))!;
    const resumed = requestControl(read.control, { action: 'resume' }, { by: 'ana', at: AT });
    if (!resumed.ok) throw new Error(resumed.refusal);
    await store.writeControl('gate-later', ownerOf(read), 1, resumed.control);
    await store.writeControl('gate-later', ownerOf(read), 2, pauseBy('bob', resumed.control));
    const gateLine = {
      at: AT.toISOString(),
      by: 'traffic-shift',
      action: 'gate-timeout',
      step: 50,
    };
    const control = read.control!;

    // Act: the gate's write built from the revision-1 read.
    const stale = registry
      .update('gate-later', ownerOf(read), {
        control: {
          ...control,
          revision: control.revision + 1,
          audit: [...control.audit, gateLine],
        },
      })
      .catch((error) => error);

    // Assess
    expect(await stale).toBeInstanceOf(RegistryConflictError);
    const stored = (await registry.get('gate-later'))?.control;
    expect(stored?.pause?.by).toBe('bob');
    expect(stored?.audit.map((line) => line.action)).toEqual(['pause', 'resume', 'pause']);
  });

  it('is refused once the owner moved the entry on, and once it is finished; finish keeps the control', async () => {
    // Prepare
    const entry = await running('moved');
    await store.writeControl('moved', ownerOf(entry), 0, pauseBy('ana'));
    const moved = await registry.update('moved', ownerOf(entry), { pending: null });

    // Act
    const stale = store.writeControl('moved', ownerOf(entry), 1, pauseBy('bob')).catch((e) => e);
    const staleError = await stale;
    const finished = await registry.finish('moved', ownerOf(moved), MigrationPhase.Completed, 'ok');
    const late = store.writeControl('moved', ownerOf(finished), 1, pauseBy('eve'));

    // Assess
    expect(staleError).toBeInstanceOf(RegistryConflictError);
    await expect(late).rejects.toBeInstanceOf(RegistryConflictError);
    expect((await registry.get('moved'))?.control?.audit.map((line) => line.by)).toEqual(['ana']);
  });

  it('finish keeps a pause stored between its read and its whole-item write (no lost audit line)', async () => {
    // Prepare: a client that lets an operator's pause land just before finish's transaction reaches moto.
    const client = new DynamoDBClient(clientConfig(moto.endpoint));
    const racing = new DynamoDbMigrationRegistry(client, 'control');
    const entry = await running('finish-race');
    const send = client.send.bind(client);
    let raced = false;
    client.send = (async (command: Parameters<typeof send>[0]) => {
      if (command instanceof TransactWriteItemsCommand && !raced) {
        raced = true;
        await store.writeControl('finish-race', ownerOf(entry), 0, pauseBy('ana'));
      }
      return send(command);
    }) as typeof client.send;

    // Act
    const finished = await racing.finish(
      'finish-race',
      ownerOf(entry),
      MigrationPhase.Completed,
      'ok'
    );

    // Assess
    expect(raced).toBe(true);
    expect(finished.phase).toBe(MigrationPhase.Completed);
    const stored = await registry.get('finish-race');
    expect(stored?.phase).toBe(MigrationPhase.Completed);
    expect(stored?.control?.audit.map((line) => line.by)).toEqual(['ana']);
  });
});

describe('DynamoDbControlStore error mapping (aws-sdk-client-mock: moto never throttles)', () => {
  it('a throttled read-back after a refused write is RegistryBusyError (retried), not a raw SDK error', async () => {
    const mock = mockClient(DynamoDBClient);
    mock.on(UpdateItemCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
        $metadata: { httpStatusCode: 400 },
      })
    );
    mock.on(GetItemCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      })
    );
    const mocked = new DynamoDbControlStore(new DynamoDBClient({}), 'control');

    const written = mocked.writeControl(
      'orders',
      { version: 2, executionArn: 'arn' },
      0,
      pauseBy('ana')
    );

    await expect(written).rejects.toBeInstanceOf(RegistryBusyError);
    await expect(written).rejects.toThrow(
      /control read-back failed: ProvisionedThroughputExceededException/
    );
    mock.restore();
  });
});
