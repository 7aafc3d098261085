/** Fields of one weighted record pair and the discovery names that measure it. */
import * as z from 'zod/mini';
import { described } from './input-zod.ts';
import { canonicalRecordName } from './names.ts';
import type { DiscoveryTarget } from './types.ts';

export const DAY_SECONDS = 86_400;

export const oneDecimal = (value: number) => Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;

/** A green share in percent: > 0, <= 100, at most one decimal (Route 53 weights are integers 0-255). */
export const Percent = z
  .number()
  .check(
    z.gt(0, 'must be > 0'),
    z.lte(100, 'must be <= 100'),
    z.refine(oneDecimal, 'must have at most one decimal place')
  );

/** Route 53 hosted zone ID, with or without the `/hostedzone/` prefix. */
const HostedZoneId = z.pipe(
  z
    .string()
    .check(
      z.regex(
        /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/,
        'must be a Route 53 hosted zone ID such as Z0123456789ABC'
      )
    ),
  z.transform((id: string) => id.replace(/^\/hostedzone\//, ''))
);

/** Record types Route 53 allows in weighted sets. */
export const RECORD_TYPES = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'PTR',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
] as const;

/**
 * A record name, optionally a wildcard written `*.` or as Route 53 lists it, `\052.` (DomainNameFormat).
 * Normalised to the canonical escaped form (names.ts) so it compares with what Route 53 lists.
 */
const DnsName = z.pipe(
  z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(255, 'must be at most 255 characters'),
      z.regex(
        /^((\*|\\052)\.)?([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/,
        'must be a DNS name such as api.example.com or *.example.com (\\052.example.com)'
      )
    ),
  z.transform(canonicalRecordName)
);

const SetIdentifier = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'must be at most 128 characters'));

/** A Service Connect discovery name: at most 64 characters (ECS ServiceConnectService.discoveryName). */
const DiscoveryName = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(64, 'must be at most 64 characters'));

/** An ECS cluster or service name: 1-255 letters, digits, hyphens and underscores (ECS CreateService). */
const EcsName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 characters of A-Z a-z 0-9 _ -'));

/**
 * A discovery name to judge: a bare name (summed over every cluster and caller that uses it), or an object
 * scoping it to the calling service `serviceName` in `clusterName` (the `TargetDiscoveryName, ServiceName,
 * ClusterName` dimension set). Always an object after parsing.
 */
const DiscoveryTargetSchema = z.union(
  [
    z.pipe(
      DiscoveryName,
      z.transform((discoveryName: string): DiscoveryTarget => ({ discoveryName }))
    ),
    z.pipe(
      z
        .strictObject({
          discoveryName: DiscoveryName,
          clusterName: z.optional(EcsName),
          serviceName: z.optional(EcsName),
        })
        .check(
          z.superRefine((target, ctx) => {
            if ((target.clusterName === undefined) !== (target.serviceName === undefined)) {
              ctx.addIssue({
                code: 'custom',
                message:
                  'clusterName and serviceName go together: CloudWatch publishes Service Connect metrics by discovery name alone or by discovery name, service and cluster',
                path: [target.clusterName === undefined ? 'clusterName' : 'serviceName'],
              });
            }
          })
        ),
      z.transform(
        ({
          discoveryName,
          clusterName,
          serviceName,
        }: {
          discoveryName: string;
          clusterName?: string | undefined;
          serviceName?: string | undefined;
        }): DiscoveryTarget =>
          clusterName === undefined || serviceName === undefined
            ? { discoveryName }
            : { discoveryName, clusterName, serviceName }
      )
    ),
  ],
  'must be a discovery name or { discoveryName, clusterName, serviceName }'
);

export const DiscoveryTargets = z
  .array(DiscoveryTargetSchema)
  .check(z.maxLength(100, 'must have at most 100 discovery names'));

export const RecordRefSchema = z
  .strictObject({
    hostedZoneId: described(
      HostedZoneId,
      'Route 53 hosted zone ID of the pair, with or without the /hostedzone/ prefix.'
    ),
    name: described(
      DnsName,
      'Record name of both records of the pair, such as api.example.com (a wildcard as *. or \\052.).'
    ),
    type: described(
      z.enum(RECORD_TYPES, `must be one of ${RECORD_TYPES.join(', ')}`),
      'Record type of both records of the pair.'
    ),
    blueSetIdentifier: described(
      SetIdentifier,
      'SetIdentifier of the record that sends traffic to blue (App Mesh) today.'
    ),
    greenSetIdentifier: described(
      SetIdentifier,
      'SetIdentifier of the record that sends traffic to green (ECS Service Connect).'
    ),
  })
  .check(
    z.refine((ref) => ref.blueSetIdentifier !== ref.greenSetIdentifier, {
      message: 'blueSetIdentifier and greenSetIdentifier must differ',
      path: ['greenSetIdentifier'],
    })
  );
export type RecordRef = z.infer<typeof RecordRefSchema>;
