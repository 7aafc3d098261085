/**
 * How a discovery target reads in a verdict scope and when two targets judge the same traffic.
 */
import type { DiscoveryTarget } from './types.ts';

/**
 * The scope name of a target: its discovery name, plus the calling service when scoped.
 *
 * @example
 * targetLabel({ discoveryName: 'orders' }); // => 'orders'
 * targetLabel({ discoveryName: 'orders', clusterName: 'prod', serviceName: 'gateway' }); // => 'orders from prod/gateway'
 */
export function targetLabel(target: DiscoveryTarget): string {
  return target.clusterName === undefined
    ? target.discoveryName
    : `${target.discoveryName} from ${target.clusterName}/${target.serviceName}`;
}

/**
 * Whether two targets count some of the same traffic: same discovery name and either one unscoped (the
 * single-dimension set sums every cluster and caller) or both scoped to the same cluster and service.
 *
 * @example
 * overlaps({ discoveryName: 'orders' }, { discoveryName: 'orders', clusterName: 'prod', serviceName: 'gw' }); // => true
 */
export function overlaps(a: DiscoveryTarget, b: DiscoveryTarget): boolean {
  if (a.discoveryName !== b.discoveryName) return false;
  if (a.clusterName === undefined || b.clusterName === undefined) return true;
  return a.clusterName === b.clusterName && a.serviceName === b.serviceName;
}
