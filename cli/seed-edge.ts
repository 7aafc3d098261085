/**
 * Seeds each environment's edge for a rehearsal: one Application Load Balancer per environment in moto's
 * ELBv2, in a VPC with two subnets from moto's EC2 (an ALB needs subnets in two Availability Zones), so the
 * weighted alias records can point at real load balancers that ELBv2 discovery finds, and the traffic model
 * can publish their `AWS/ApplicationELB` metrics under the `LoadBalancer` dimension (`app/<name>/<id>`).
 */

import {
  CreateLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AliasTarget } from '@aws-sdk/client-route-53';
import { clientConfig } from './moto.ts';

export type Side = 'blue' | 'green';

export interface EdgeLoadBalancer {
  side: Side;
  name: string;
  arn: string;
  /** As DescribeLoadBalancers returns it (no `dualstack.`, no trailing dot). */
  dnsName: string;
  canonicalHostedZoneId: string;
  /** The `LoadBalancer` dimension of its CloudWatch metrics: the ARN's suffix `app/<name>/<id>`. */
  dimension: string;
  /** The AliasTarget an operator writes for it. */
  aliasTarget: AliasTarget;
}

export type SeededEdge = Record<Side, EdgeLoadBalancer>;

/** The CloudWatch `LoadBalancer` dimension value of a load balancer ARN (`...:loadbalancer/app/n/id` -> `app/n/id`). */
export function loadBalancerDimension(arn: string): string {
  const marker = ':loadbalancer/';
  const at = arn.indexOf(marker);
  if (at < 0) throw new Error(`not a load balancer ARN: ${arn}`);
  return arn.slice(at + marker.length);
}

/**
 * Load balancer names for a migration: ELBv2 allows 32 characters of `a-z A-Z 0-9 -`, not starting or
 * ending with `-` nor starting with `internal-`.
 */
export function edgeNamesFor(migrationId: string): Record<Side, string> {
  const slug =
    migrationId
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^(internal-)+/, '')
      .slice(0, 32 - '-green'.length)
      .replace(/^-+|-+$/g, '') || 'edge';
  return { blue: `${slug}-blue`, green: `${slug}-green` };
}

/**
 * One call of EC2's Query API. No `@aws-sdk/client-ec2` is installed and EC2 only serves moto's ELBv2 here,
 * so a form POST suffices; moto reads the service and Region from the credential scope and checks no signature.
 */
async function ec2Call(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`EC2 ${params.Action} failed: HTTP ${response.status} ${body}`);
  return body;
}

function xmlField(body: string, field: string): string {
  const value = new RegExp(`<${field}>([^<]+)</${field}>`).exec(body)?.[1];
  if (value === undefined) throw new Error(`EC2 answer without <${field}>: ${body.slice(0, 200)}`);
  return value;
}

/** A VPC with one subnet in each of two Availability Zones. */
async function seedSubnets(endpoint: string): Promise<string[]> {
  const vpcId = xmlField(
    await ec2Call(endpoint, { Action: 'CreateVpc', CidrBlock: '10.80.0.0/16' }),
    'vpcId'
  );
  const subnets: string[] = [];
  for (const [index, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const body = await ec2Call(endpoint, {
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: `10.80.${index}.0/24`,
      AvailabilityZone: zone,
    });
    subnets.push(xmlField(body, 'subnetId'));
  }
  return subnets;
}

/**
 * Creates (or, when one of that name exists, reuses) an internet-facing ALB per environment. Green's alias
 * carries `dualstack.` and a trailing dot, as the console writes and Route 53 lists it; blue's the bare DNS
 * name, so both forms reach discovery. `EvaluateTargetHealth` is on, as operators set it for an ALB alias
 * (Route 53 skips a load balancer with no healthy targets).
 */
export async function seedEdgeLoadBalancers(
  endpoint: string,
  names: Record<Side, string>,
  options: { ipv6?: boolean } = {}
): Promise<SeededEdge> {
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(endpoint));
  const existing = await elbv2.send(new DescribeLoadBalancersCommand({}));
  let subnets: string[] | undefined;
  const seedOne = async (side: Side): Promise<EdgeLoadBalancer> => {
    let balancer: LoadBalancer | undefined = existing.LoadBalancers?.find(
      (candidate) => candidate.LoadBalancerName === names[side]
    );
    if (balancer === undefined) {
      subnets ??= await seedSubnets(endpoint);
      const created = await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: names[side],
          Subnets: subnets,
          Type: 'application',
          Scheme: 'internet-facing',
          // A dualstack ALB answers AAAA too; green's is dualstack either way (its alias says so).
          IpAddressType: side === 'green' || options.ipv6 ? 'dualstack' : 'ipv4',
        })
      );
      balancer = created.LoadBalancers?.[0];
    }
    const arn = balancer?.LoadBalancerArn;
    const dnsName = balancer?.DNSName;
    const canonicalHostedZoneId = balancer?.CanonicalHostedZoneId;
    if (!arn || !dnsName || !canonicalHostedZoneId)
      throw new Error(`ELBv2 returned no ARN, DNS name or zone for ${names[side]}`);
    return {
      side,
      name: names[side],
      arn,
      dnsName,
      canonicalHostedZoneId,
      dimension: loadBalancerDimension(arn),
      aliasTarget: {
        HostedZoneId: canonicalHostedZoneId,
        DNSName: side === 'green' ? `dualstack.${dnsName}.` : dnsName,
        EvaluateTargetHealth: true,
      },
    };
  };
  return { blue: await seedOne('blue'), green: await seedOne('green') };
}

/** One line for the progress output. */
export function describeEdge(edge: SeededEdge): string {
  return `edge load balancers: blue ${edge.blue.dimension} (${edge.blue.aliasTarget.DNSName}), green ${edge.green.dimension} (${edge.green.aliasTarget.DNSName})`;
}
