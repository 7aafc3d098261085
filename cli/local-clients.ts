/** The registry and the clients a local engine derives from its Route 53 client (one emulator serves all). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { DynamoDbMigrationRegistry } from '../functions/adapters/dynamodb-migration-registry.ts';
import type { MigrationRegistry } from '../functions/core/registry.ts';

/**
 * The DynamoDB registry for a local engine: the table is created on the first call when missing, so the
 * constructor stays synchronous.
 */
export function localMigrationRegistry(
  dynamodb: DynamoDBClient,
  tableName: string,
  clock: { now(): Date }
): MigrationRegistry {
  const registry = new DynamoDbMigrationRegistry(dynamodb, tableName, { now: () => clock.now() });
  let table: Promise<boolean> | undefined;
  const ready = async () => {
    table ??= registry.createTableIfMissing().catch((error: unknown) => {
      table = undefined;
      throw error;
    });
    await table;
    return registry;
  };
  return serialisedWrites({
    acquire: async (entry) => (await ready()).acquire(entry),
    get: async (migrationId) => (await ready()).get(migrationId),
    ownerOf: async (key) => (await ready()).ownerOf(key),
    update: async (migrationId, expected, changes) =>
      (await ready()).update(migrationId, expected, changes),
    finish: async (migrationId, expected, phase, reason) =>
      (await ready()).finish(migrationId, expected, phase, reason),
    listUnfinished: async () => (await ready()).listUnfinished(),
  });
}

/**
 * Runs the registry's writes one at a time in this process. moto 5.2.1 restores a deep copy of the whole table
 * when a transaction fails (moto/dynamodb/models/__init__.py, transact_write_items), so on its threaded server a
 * failing transaction can erase a concurrent successful one; DynamoDB serialises transactions itself. The
 * conditions still decide every winner: this only keeps the emulator from losing writes.
 */
export function serialisedWrites(registry: MigrationRegistry): MigrationRegistry {
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(write: () => Promise<T>): Promise<T> => {
    const turn = queue.then(write, write);
    queue = turn.catch(() => undefined);
    return turn;
  };
  return {
    acquire: (entry) => inTurn(() => registry.acquire(entry)),
    get: (migrationId) => registry.get(migrationId),
    ownerOf: (key) => registry.ownerOf(key),
    update: (migrationId, expected, changes) =>
      inTurn(() => registry.update(migrationId, expected, changes)),
    finish: (migrationId, expected, phase, reason) =>
      inTurn(() => registry.finish(migrationId, expected, phase, reason)),
    listUnfinished: () => registry.listUnfinished(),
  };
}

/** A DynamoDB client for the endpoint, region and credentials of another client (one moto serves all). */
export function dynamodbLike(other: Route53Client): DynamoDBClient {
  const { endpoint, region, credentials } = other.config;
  return new DynamoDBClient({
    region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}

/**
 * An ELBv2 client for the region and credentials of the Route 53 client, and its emulator: the endpoint set in
 * code (tests), or Route 53's endpoint variable (run-local on moto) unless ELBv2's own or the global variable
 * names one (the SDK reads those itself). One emulator serves every service, as for DynamoDB.
 */
export function elbLike(other: Route53Client): ElasticLoadBalancingV2Client {
  const { region, credentials } = other.config;
  const env = process.env;
  const ownVariable =
    env['AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2'] ?? env['AWS_ENDPOINT_URL'] ?? undefined;
  const endpoint =
    other.config.endpoint ??
    (ownVariable ? undefined : env['AWS_ENDPOINT_URL_ROUTE_53'] || undefined);
  return new ElasticLoadBalancingV2Client({
    region,
    credentials,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}
