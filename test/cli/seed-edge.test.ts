/**
 * The rehearsal's load balancer names (ELBv2: at most 32 of `a-z A-Z 0-9 -`, no leading or trailing `-`, not
 * `internal-...`) and the CloudWatch `LoadBalancer` dimension taken from an ARN.
 */
import { describe, expect, it } from 'vitest';
import { edgeNamesFor, loadBalancerDimension } from '../../cli/seed-edge.ts';

describe('seed-edge names', () => {
  it.each([
    { migrationId: 'checkout-canary', blue: 'checkout-canary-blue' },
    { migrationId: 'Orders_2026.Q4', blue: 'orders-2026-q4-blue' },
    { migrationId: 'internal-api', blue: 'api-blue' },
    { migrationId: '--', blue: 'edge-blue' },
    { migrationId: 'a'.repeat(40), blue: `${'a'.repeat(26)}-blue` },
    { migrationId: `${'b'.repeat(25)}-x`, blue: `${'b'.repeat(25)}-blue` },
  ])('$migrationId -> $blue', ({ migrationId, blue }) => {
    const names = edgeNamesFor(migrationId);
    expect(names.blue).toBe(blue);
    expect(names.green).toBe(blue.replace(/-blue$/, '-green'));
    for (const name of [names.blue, names.green]) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/);
      expect(name.startsWith('internal-')).toBe(false);
    }
  });

  it('the LoadBalancer dimension is the ARN suffix app/<name>/<id>; anything else is refused', () => {
    expect(
      loadBalancerDimension(
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/green-sc-edge/50dc6c495c0c9188'
      )
    ).toBe('app/green-sc-edge/50dc6c495c0c9188');
    expect(() =>
      loadBalancerDimension('arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/1')
    ).toThrow(/not a load balancer ARN/);
  });
});
