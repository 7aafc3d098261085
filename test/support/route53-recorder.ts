import type { Route53Client } from '@aws-sdk/client-route-53';

export interface RecordedChange {
  hostedZoneId: string;
  changes: { action: string; name: string; setIdentifier: string; weight: number | undefined }[];
}

/** Records every ChangeResourceRecordSets the client sends (after it succeeded), in order. */
export function recordChanges(route53: Route53Client): RecordedChange[] {
  const recorded: RecordedChange[] = [];
  route53.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ChangeResourceRecordSetsCommand') {
        const input = args.input as {
          HostedZoneId: string;
          ChangeBatch: {
            Changes: {
              Action: string;
              ResourceRecordSet: { Name: string; SetIdentifier: string; Weight?: number };
            }[];
          };
        };
        recorded.push({
          hostedZoneId: input.HostedZoneId,
          changes: input.ChangeBatch.Changes.map((change) => ({
            action: change.Action,
            name: change.ResourceRecordSet.Name.toLowerCase().replace(/\.$/, ''),
            setIdentifier: change.ResourceRecordSet.SetIdentifier,
            weight: change.ResourceRecordSet.Weight,
          })),
        });
      }
      return result;
    },
    { step: 'initialize', name: 'recordChanges' }
  );
  return recorded;
}
