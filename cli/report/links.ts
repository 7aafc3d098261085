/**
 * Where to look next: the execution (its Step Functions console page for a deployed run; a local run has
 * none, and says so) and the CloudWatch dashboard (named like the state machine, template.yaml).
 */
import { consoleUrl } from '../commands/common.ts';
import type { RunReport } from '../run-report.ts';
import { escapeHtml } from './format.ts';

export interface ReportLinks {
  execution: { url: string | null; text: string };
  dashboard: { url: string | null; text: string };
}

/** `arn:<partition>:states:<region>:<account>:execution:<state machine>:<name>` -> its parts. */
function executionParts(arn: string): { region: string; stateMachine: string } | null {
  const parts = arn.split(':');
  if (parts.length < 8 || parts[2] !== 'states' || parts[5] !== 'execution') return null;
  return { region: parts[3] ?? '', stateMachine: parts[6] ?? '' };
}

export function linksOf(report: RunReport): ReportLinks {
  const parts = executionParts(report.executionArn);
  if (report.deployed !== true || parts === null) {
    return {
      execution: {
        url: null,
        text: 'a local run (the local engine against moto or your account): no Step Functions console page',
      },
      dashboard: {
        url: null,
        text: 'a local run publishes no CloudWatch metrics: the deployed stack’s dashboard shows deployed runs',
      },
    };
  }
  const host = parts.region.startsWith('cn-')
    ? `${parts.region}.console.amazonaws.cn`
    : `${parts.region}.console.aws.amazon.com`;
  // The template names the dashboard like the state machine: `${AWS::StackName}-traffic-shift`.
  const dashboard = `https://${host}/cloudwatch/home?region=${parts.region}#dashboards/dashboard/${encodeURIComponent(parts.stateMachine)}`;
  return {
    execution: { url: consoleUrl(report.executionArn), text: 'Step Functions console' },
    dashboard: { url: dashboard, text: `CloudWatch dashboard ${parts.stateMachine}` },
  };
}

export function linksRow(report: RunReport): string {
  const links = linksOf(report);
  const one = (id: string, link: { url: string | null; text: string }) =>
    link.url === null
      ? `<span id="${id}" class="muted">${escapeHtml(link.text)}</span>`
      : `<a id="${id}" href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a>`;
  return `<tr class="links"><th>Links</th><td>execution: ${one('execution-link', links.execution)}<br>dashboard: ${one('dashboard-link', links.dashboard)}</td></tr>`;
}
