/**
 * Elastic Load Balancing v2 implementation of the `LoadBalancerDirectory` port: lists load balancers so that
 * Preflight can find each environment's edge from its alias records (or by name).
 */
import {
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandOutput,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancerDescription } from '../core/edge-discovery.ts';
import { LoadBalancerBusyError, PreflightFailedError } from '../core/errors.ts';
import type { LoadBalancerDirectory } from '../core/state.ts';
import { isBusy } from './sdk-faults.ts';

/** DescribeLoadBalancers accepts at most 20 Names per call. */
const NAMES_PER_CALL = 20;
/** Pages followed (400 per page): 20,000 load balancers, far beyond the default quota. */
const MAX_PAGES = 50;

const BUSY = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded']);

function translate(error: unknown, context: string): unknown {
  const shaped = error as
    | { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } }
    | undefined;
  const name = shaped?.name ?? '';
  if (isBusy(error, BUSY)) {
    return new LoadBalancerBusyError(
      `${context}: Elastic Load Balancing is busy (${name}); retry later`,
      {
        cause: error,
      }
    );
  }
  if (name === 'LoadBalancerNotFoundException' || name === 'LoadBalancerNotFound') {
    return new PreflightFailedError(`preflight failed: ${context}: ${shaped?.message ?? name}`, {
      cause: error,
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new PreflightFailedError(
      `preflight failed: ${context}: access denied (the Preflight role needs elasticloadbalancing:DescribeLoadBalancers, or set metrics.edge to "off")`,
      { cause: error }
    );
  }
  return error;
}

/**
 * @example
 * const directory = new ElbV2LoadBalancers(new ElasticLoadBalancingV2Client({}));
 * await directory.describe(); // => [{ name: 'green', arn: 'arn:…:loadbalancer/app/green/1', dnsName: 'green-1….elb.amazonaws.com', type: 'application' }]
 */
export class ElbV2LoadBalancers implements LoadBalancerDirectory {
  readonly #client: ElasticLoadBalancingV2Client;

  constructor(client: ElasticLoadBalancingV2Client) {
    this.#client = client;
  }

  /** Every load balancer (pages followed by Marker), or the named ones, 20 names per call. */
  async describe(names?: readonly string[]): Promise<LoadBalancerDescription[]> {
    if (names === undefined) return this.#pages({});
    const found: LoadBalancerDescription[] = [];
    for (let at = 0; at < names.length; at += NAMES_PER_CALL) {
      const slice = names.slice(at, at + NAMES_PER_CALL);
      found.push(...(await this.#pages({ Names: slice })));
    }
    return found;
  }

  async #pages(filter: { Names?: string[] }): Promise<LoadBalancerDescription[]> {
    const found: LoadBalancerDescription[] = [];
    let marker: string | undefined;
    const context = filter.Names
      ? `DescribeLoadBalancers ${filter.Names.join(', ')}`
      : 'DescribeLoadBalancers';
    for (let page = 0; page < MAX_PAGES; page++) {
      const out: DescribeLoadBalancersCommandOutput = await this.#client
        .send(
          new DescribeLoadBalancersCommand({ ...filter, ...(marker ? { Marker: marker } : {}) })
        )
        .catch((error: unknown) => {
          throw translate(error, context);
        });
      for (const lb of out.LoadBalancers ?? []) {
        if (!lb.LoadBalancerArn || !lb.DNSName || !lb.LoadBalancerName) continue;
        found.push({
          name: lb.LoadBalancerName,
          arn: lb.LoadBalancerArn,
          dnsName: lb.DNSName,
          type: lb.Type ?? 'application',
        });
      }
      marker = out.NextMarker;
      if (!marker) return found;
    }
    throw new PreflightFailedError(`preflight failed: ${context}: more than ${MAX_PAGES} pages`);
  }
}
