/**
 * DynamoDbMigrationRegistry against a real moto_server: TransactWriteItems with conditions (moto 5.2.1 returns
 * CancellationReasons per item), conditional UpdateItem, consistent reads and the lock under many parallel
 * acquires. aws-sdk-client-mock is used only for what moto cannot produce: throttling and TransactionConflict.
 */
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialisedWrites } from '../../cli/local-engine.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import {
  RegistryBusyError,
  RegistryConflictError,
  RunLockedError,
} from '../../functions/core/errors.ts';
import { recordSetKey } from '../../functions/core/names.ts';
import { type MigrationEntry, MigrationPhase } from '../../functions/core/registry.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry, TEST_STATE_MACHINE } from '../support/registry-entry.ts';

let moto: Moto;
let client: DynamoDBClient;
let registry: DynamoDbMigrationRegistry;

const SM = TEST_STATE_MACHINE;
const arnOf = (name: string) => `${SM.replace(':stateMachine:', ':execution:')}:${name}`;

function entryFor(
  migrationId: string,
  executionName: string,
  zone = 'Z1',
  name = 'api.example.com'
): MigrationEntry {
  return registryEntry(migrationId, arnOf(executionName), zone, {}, name);
}

beforeAll(async () => {
  moto = await startMoto();
  client = new DynamoDBClient(clientConfig(moto.endpoint));
  registry = new DynamoDbMigrationRegistry(client, 'migrations');
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('DynamoDbMigrationRegistry against moto', () => {
  it('creates the table once', async () => {
    expect(await registry.createTableIfMissing()).toBe(true);
    expect(await registry.createTableIfMissing()).toBe(false);
  });

  it('acquires, reads back and is idempotent for the same execution', async () => {
    const entry = entryFor('orders', 'orders-1');
    const acquired = await registry.acquire(entry);
    const again = await registry.acquire(entry);

    expect(acquired.version).toBe(1);
    expect(again).toEqual(acquired);
    expect(await registry.get('orders')).toEqual(acquired);
    expect(await registry.ownerOf('Z1 api.example.com A')).toBe('orders');
    expect(await registry.get('nobody')).toBeNull();
  });

  it('refuses a rival on the same records, naming the owner, its execution and the rollback command', async () => {
    const rival = entryFor('orders-again', 'other-1');

    const refused = await registry.acquire(rival).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(RunLockedError);
    expect((refused as RunLockedError).message).toContain('migration orders');
    expect((refused as RunLockedError).message).toContain(arnOf('orders-1'));
    expect((refused as RunLockedError).message).toContain('traffic-shift rollback orders');
    expect((refused as RunLockedError).ownerExecutionArn).toBe(arnOf('orders-1'));
    expect(await registry.get('orders-again')).toBeNull();
  });

  it('refuses the same migration id from another execution', async () => {
    const refused = await registry
      .acquire(entryFor('orders', 'orders-2', 'Z9', 'other.example.com'))
      .catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(RunLockedError);
    expect(await registry.ownerOf('Z9 other.example.com A')).toBeNull();
  });

  it('updates only at the expected version and owner', async () => {
    const current = (await registry.get('orders')) as MigrationEntry;
    const owner = { version: current.version, executionArn: current.executionArn };
    const pending = [
      { hostedZoneId: 'Z1', name: 'api.example.com', type: 'A', blueWeight: 90, greenWeight: 10 },
    ];

    const running = await registry.update('orders', owner, {
      phase: MigrationPhase.Running,
      pending,
    });
    const stale = await registry
      .update('orders', owner, { pending: null })
      .catch((error: unknown) => error);
    const stranger = await registry
      .update('orders', { version: running.version, executionArn: arnOf('x') }, { pending: null })
      .catch((error: unknown) => error);

    expect(running).toMatchObject({ phase: 'running', pending, version: current.version + 1 });
    expect(stale).toBeInstanceOf(RegistryConflictError);
    expect(stranger).toBeInstanceOf(RegistryConflictError);
    expect(await registry.get('orders')).toEqual(running);
  });

  it('hands over to a continuation and refuses the predecessor afterwards', async () => {
    const current = (await registry.get('orders')) as MigrationEntry;
    const predecessor = { version: current.version, executionArn: current.executionArn };

    const handed = await registry.update('orders', predecessor, {
      executionArn: arnOf('orders-1-c2'),
      generation: 2,
    });
    const late = await registry
      .finish('orders', { ...predecessor, version: handed.version }, 'completed', 'late')
      .catch((error: unknown) => error);

    expect(handed).toMatchObject({ executionArn: arnOf('orders-1-c2'), generation: 2 });
    expect(late).toBeInstanceOf(RegistryConflictError);
  });

  it('lists unfinished entries, finishes idempotently and releases the locks', async () => {
    const current = (await registry.get('orders')) as MigrationEntry;
    const owner = { version: current.version, executionArn: current.executionArn };
    const unfinished = await registry.listUnfinished();

    const finished = await registry.finish('orders', owner, 'completed', 'green at 100%');
    const twice = await registry.finish('orders', owner, 'restored', 'duplicate event');

    expect(unfinished.map((entry) => entry.migrationId)).toEqual(['orders']);
    expect(finished).toMatchObject({ phase: 'completed', reason: 'green at 100%', pending: null });
    expect(twice).toEqual(finished);
    expect(await registry.ownerOf('Z1 api.example.com A')).toBeNull();
    expect(await registry.listUnfinished()).toEqual([]);
    const lockItem = await client.send(
      new GetItemCommand({
        TableName: 'migrations',
        Key: { pk: { S: 'lock#Z1 api.example.com A' } },
        ConsistentRead: true,
      })
    );
    expect(lockItem.Item).toBeUndefined();
  });

  it('lets a new run take records a finished migration released, and reuses a finished id', async () => {
    const finished = (await registry.get('orders')) as MigrationEntry;
    const rival = await registry.acquire(entryFor('orders-again', 'other-2'));
    const reused = await registry.acquire(entryFor('orders', 'orders-3', 'Z2'));

    expect(rival.phase).toBe('preflight');
    // Versions never repeat, so a stale writer of the old run cannot match the new one.
    expect(reused).toMatchObject({
      executionArn: arnOf('orders-3'),
      phase: 'preflight',
      version: finished.version + 1,
    });
  });

  it('gives exactly one winner among many parallel acquires of the same records', async () => {
    const contenders = Array.from({ length: 24 }, (_, i) =>
      entryFor(`race-${i}`, `race-${i}`, i % 2 === 0 ? '/hostedzone/Z7' : 'Z7', 'Race.Example.com.')
    );
    // The same weighted group, written two ways: the key is canonical, so it is one lock.
    for (const entry of contenders) entry.recordSetKeys = entry.records.map(recordSetKey);

    // Issued all at once; moto's writes go one at a time (serialisedWrites: moto restores a table copy when a
    // transaction fails, erasing a concurrent one), so the conditions alone pick the winner.
    const serial = serialisedWrites(registry);
    const results = await Promise.allSettled(contenders.map((entry) => serial.acquire(entry)));

    const winners = results.filter((result) => result.status === 'fulfilled');
    const losers = results.filter((result) => result.status === 'rejected');
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as PromiseFulfilledResult<MigrationEntry>).value.migrationId;
    expect(await registry.ownerOf('Z7 race.example.com A')).toBe(winner);
    for (const loser of losers) {
      expect(loser.reason).toBeInstanceOf(RunLockedError);
      expect((loser.reason as Error).message).toContain(`traffic-shift rollback ${winner}`);
    }
  });
});

describe('DynamoDbMigrationRegistry stamps its writes with the injected clock', () => {
  it('acquire, the lock it takes, update and finish all take the time from `now` (the rehearsal runs on a virtual clock)', async () => {
    // Prepare
    let at = Date.parse('2031-05-06T07:08:09.000Z');
    const clocked = new DynamoDbMigrationRegistry(client, 'clocked', { now: () => new Date(at) });
    await clocked.createTableIfMissing();
    const iso = () => new Date(at).toISOString();

    // Act
    const acquired = await clocked.acquire(entryFor('clocked', 'clocked-1', 'Z5'));
    const acquiredAt = iso();
    const lock = await client.send(
      new GetItemCommand({
        TableName: 'clocked',
        Key: { pk: { S: 'lock#Z5 api.example.com A' } },
        ConsistentRead: true,
      })
    );
    at += 60_000;
    const owner = { version: acquired.version, executionArn: acquired.executionArn };
    const running = await clocked.update('clocked', owner, { phase: MigrationPhase.Running });
    const updatedAt = iso();
    at += 60_000;
    const finished = await clocked.finish(
      'clocked',
      { version: running.version, executionArn: running.executionArn },
      'completed',
      'done'
    );

    // Assess
    expect(acquired.updatedAt).toBe(acquiredAt);
    expect(lock.Item?.['since']?.S).toBe(acquiredAt);
    expect(running.updatedAt).toBe(updatedAt);
    expect(finished.updatedAt).toBe(iso());
    expect(await clocked.get('clocked')).toEqual(finished);
  });
});

describe('DynamoDbMigrationRegistry error mapping (aws-sdk-client-mock: moto never throttles)', () => {
  it('turns throttling into RegistryBusyError', async () => {
    const mock = mockClient(DynamoDBClient);
    mock.on(GetItemCommand).rejects(
      Object.assign(new Error('slow down'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      })
    );
    const mocked = new DynamoDbMigrationRegistry(new DynamoDBClient({}), 'migrations');

    await expect(mocked.get('orders')).rejects.toBeInstanceOf(RegistryBusyError);
    mock.restore();
  });

  it('retries a transaction cancelled by TransactionConflict, then succeeds', async () => {
    const mock = mockClient(DynamoDBClient);
    const stored = new Map<string, Record<string, AttributeValue>>();
    let cancelled = 0;
    mock.on(TransactWriteItemsCommand).callsFake((input: TransactWriteItemsCommandInput) => {
      if (cancelled++ === 0) {
        throw new TransactionCanceledException({
          message: 'Transaction cancelled [TransactionConflict, None]',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      }
      for (const item of input.TransactItems ?? [])
        if (item.Put?.Item) stored.set(item.Put.Item['pk']?.S ?? '', item.Put.Item);
      return {};
    });
    mock.on(GetItemCommand).callsFake((input: GetItemCommandInput) => ({
      Item: stored.get(input.Key?.['pk']?.S ?? ''),
    }));
    const mocked = new DynamoDbMigrationRegistry(new DynamoDBClient({}), 'migrations');

    const acquired = await mocked.acquire(entryFor('orders', 'orders-1'));

    expect(acquired.version).toBe(1);
    expect(mock.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    mock.restore();
  });
});
