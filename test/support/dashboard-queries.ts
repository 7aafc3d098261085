/**
 * The CloudWatch dashboard of template.yaml as data: its Logs Insights widgets, the log groups each query
 * reads (SOURCE), its `stats` aggregations by alias, and the log fields the query reads (numeric ones inside
 * aggregations, text ones in `filter` and `by`), so tests can hold them against what the handlers log.
 */
import { join } from 'node:path';
import { parseTemplate } from './cfn-template.ts';

const ROOT = join(import.meta.dirname, '../..');

export interface LogWidget {
  type: string;
  properties: { title: string; region: string; view: string; query: string; stacked?: boolean };
}

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: { BuildProperties?: { EntryPoints?: string[] } };
}

export function templateResources(): Record<string, Resource> {
  return (parseTemplate(join(ROOT, 'template.yaml')) as { Resources: Record<string, Resource> })
    .Resources;
}

/** The body with `${AWS::Region}` as us-east-1 and each `${Function}` left as the resource's logical id. */
export function dashboardWidgets(): LogWidget[] {
  const resource = Object.values(templateResources()).find(
    (one) => one.Type === 'AWS::CloudWatch::Dashboard'
  );
  if (resource === undefined) throw new Error('template.yaml has no dashboard');
  const body = (resource.Properties['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub'];
  const region = ['$', '{AWS::Region}'].join('');
  return (JSON.parse(body.replaceAll(region, 'us-east-1')) as { widgets: LogWidget[] }).widgets;
}

export function widgetTitled(title: RegExp): LogWidget {
  const found = dashboardWidgets().find((one) => title.test(one.properties.title));
  if (found === undefined) throw new Error(`no widget titled ${title}`);
  return found;
}

/** The logical id of the log group named `name` (its LogGroupName `!Sub`), if the template declares it. */
export function logGroupNamed(name: string): string | undefined {
  return Object.entries(templateResources()).find(
    ([, resource]) =>
      resource.Type === 'AWS::Logs::LogGroup' &&
      (resource.Properties['LogGroupName'] as { 'Fn::Sub'?: string } | undefined)?.['Fn::Sub'] ===
        name
  )?.[0];
}

/** The logical id of the function that logs to the log group `groupId` (its LoggingConfig). */
export function functionLoggingTo(groupId: string): string | undefined {
  return Object.entries(templateResources()).find(
    ([, resource]) =>
      resource.Type === 'AWS::Serverless::Function' &&
      (resource.Properties['LoggingConfig'] as { LogGroup?: { Ref?: string } } | undefined)
        ?.LogGroup?.Ref === groupId
  )?.[0];
}

/**
 * The logical ids of the functions whose log groups a query reads (SOURCE): each must be a log group the
 * template declares (a query naming a missing group fails as a whole) that a function logs to.
 */
export function sourcesOf(query: string): string[] {
  return [...query.matchAll(/SOURCE '([^']*)'/g)].map((match) => {
    const name = match[1] ?? '';
    const group = logGroupNamed(name);
    if (group === undefined) throw new Error(`log group ${name} is not declared in template.yaml`);
    const id = functionLoggingTo(group);
    if (id === undefined) throw new Error(`no function logs to ${group} (${name})`);
    return id;
  });
}

/** Splits at commas outside parentheses. */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** The commands after the SOURCE clauses. */
function commandsOf(query: string): string[] {
  return query
    .split('|')
    .map((command) => command.trim())
    .filter((command) => !command.startsWith('SOURCE '));
}

/** The `stats` command's aggregations (`expression as alias`) and its `by` fields other than bin(). */
export function statsOf(query: string): { aggregations: Map<string, string>; by: string[] } {
  const stats = commandsOf(query).find((command) => command.startsWith('stats '));
  if (stats === undefined) throw new Error(`no stats in ${query}`);
  const body = stats.slice('stats '.length);
  const at = body.lastIndexOf(' by ');
  const [aggregated, grouped] = at < 0 ? [body, ''] : [body.slice(0, at), body.slice(at + 4)];
  const aggregations = new Map<string, string>();
  for (const part of topLevel(aggregated)) {
    const [expression = '', alias = ''] = part.split(/ as (?=\w+$)/);
    aggregations.set(alias, expression);
  }
  const by = topLevel(grouped).filter((field) => !field.startsWith('bin('));
  return { aggregations, by };
}

/** The fields a query reads: numbers (inside sum/avg/max/min) and text (compared in `filter`, grouped `by`). */
export function fieldsRead(query: string): {
  numeric: string[];
  text: Map<string, string | null>;
  present: string[];
} {
  const numeric = new Set<string>();
  const present = new Set<string>();
  const text = new Map<string, string | null>();
  for (const command of commandsOf(query)) {
    for (const match of command.matchAll(/\b(?:sum|avg|max|min)\((\w+)\)/g))
      numeric.add(match[1] ?? '');
    for (const match of command.matchAll(/\bispresent\((\w+)\)/g)) present.add(match[1] ?? '');
    for (const match of command.matchAll(/^filter (\w+) = "([^"]*)"$/g))
      text.set(match[1] ?? '', match[2] ?? '');
  }
  for (const field of statsOf(query).by) text.set(field, null);
  return { numeric: [...numeric], text, present: [...present] };
}
