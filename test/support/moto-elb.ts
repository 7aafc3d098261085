/**
 * Load balancers in moto for the edge tests: moto's ELBv2 needs subnets of its EC2, and the SDK's EC2 client
 * is not a dependency, so the subnets come from EC2's query API over plain HTTP (moto does not check
 * signatures; it routes by the credential scope's service name).
 */
import {
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

async function ec2(endpoint: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`EC2 ${params['Action']}: HTTP ${response.status} ${text}`);
  return text;
}

/** Two subnets of a new VPC in two zones (an ALB needs two). */
export async function motoSubnets(endpoint: string): Promise<string[]> {
  const vpc = await ec2(endpoint, { Action: 'CreateVpc', CidrBlock: '10.0.0.0/16' });
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(vpc)?.[1] ?? '';
  const subnets: string[] = [];
  for (const [index, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const subnet = await ec2(endpoint, {
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: `10.0.${index}.0/24`,
      AvailabilityZone: zone,
    });
    subnets.push(/<subnetId>([^<]+)<\/subnetId>/.exec(subnet)?.[1] ?? '');
  }
  return subnets;
}

export interface MotoLoadBalancer {
  name: string;
  arn: string;
  dnsName: string;
  /** The CloudWatch `LoadBalancer` dimension (`app/<name>/<id>`). */
  dimension: string;
}

/** Creates an application (default) or network load balancer in moto. */
export async function createMotoLoadBalancer(
  elb: ElasticLoadBalancingV2Client,
  subnets: string[],
  name: string,
  type: 'application' | 'network' = 'application'
): Promise<MotoLoadBalancer> {
  const out = await elb.send(
    new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Type: type })
  );
  const lb = out.LoadBalancers?.[0];
  const arn = lb?.LoadBalancerArn ?? '';
  return {
    name,
    arn,
    dnsName: lb?.DNSName ?? '',
    dimension: arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length),
  };
}
