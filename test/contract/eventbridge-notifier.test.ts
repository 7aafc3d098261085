/**
 * EventBridgeNotifier against a real moto_server. moto stores events but routes them only to a few
 * target kinds (local-aws.md §3.6), so this checks the request is accepted, not the delivery.
 */
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeNotifier } from '../../functions/adapters/eventbridge-notifier.ts';
import type { LifecycleEvent } from '../../functions/core/state.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';

let moto: Moto;
let eventbridge: EventBridgeClient;

const event: LifecycleEvent = {
  type: 'StepCompleted',
  migrationId: 'orders',
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders-1',
  greenPercent: 10,
  reason: 'green healthy at 10%',
  at: '2026-09-14T10:00:00.000Z',
};

beforeAll(async () => {
  moto = await startMoto();
  eventbridge = new EventBridgeClient(clientConfig(moto.endpoint));
});

afterAll(async () => {
  eventbridge?.destroy();
  await moto?.stop();
});

describe('EventBridgeNotifier against moto', () => {
  it('publishes to the default bus', async () => {
    // Prepare
    const notifier = new EventBridgeNotifier(eventbridge, {});

    // Act + Assess
    await expect(notifier.publish(event)).resolves.toBeUndefined();
  });

  it('publishes to a named bus', async () => {
    // Prepare
    await eventbridge.send(new CreateEventBusCommand({ Name: 'traffic-shift-events' }));
    const notifier = new EventBridgeNotifier(eventbridge, { eventBusName: 'traffic-shift-events' });

    // Act + Assess
    await expect(notifier.publish(event)).resolves.toBeUndefined();
  });

  it('fails when the bus does not exist (the caller decides to swallow)', async () => {
    // Prepare
    const notifier = new EventBridgeNotifier(eventbridge, { eventBusName: 'no-such-bus' });

    // Act + Assess
    await expect(notifier.publish(event)).rejects.toThrow(/no-such-bus/);
  });
});
