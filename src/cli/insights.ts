import type { Static } from '@fastify/type-provider-typebox';
import type { Command } from 'commander';
import type * as InsightSchemas from '../server/insights-schemas.js';
import { apiPath, clientFor } from './client.js';
import { cell, printJson, printLine, printTable, wantsJson, withJsonOption } from './output.js';

type DoraReport = Static<typeof InsightSchemas.DoraReportSchema>;
type Figure = DoraReport['summary']['leadTime'];
type MetricKey = keyof DoraReport['summary'];

interface DoraOptions {
  service?: string;
  team?: string;
  env?: string;
  from?: string;
  to?: string;
  bucket?: string;
}

const LABELS: Record<MetricKey, string> = {
  deploymentFrequency: 'deployment frequency',
  leadTime: 'lead time for changes',
  changeFailureRate: 'change failure rate',
  timeToRestore: 'time to restore',
};

// Plain ASCII, lowest to highest, so the sparkline survives any terminal or CI log.
const LEVELS = ['_', '.', '-', '~', '=', '+', '*', '#'];

/** One character per bucket, scaled to the largest value; a bucket without a value is a space. */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const known = values.filter((v): v is number => v !== null);
  const max = Math.max(0, ...known);
  return values
    .map((v) =>
      v === null ? ' ' : max === 0 ? LEVELS[0]! : LEVELS[Math.min(LEVELS.length - 1, Math.round((v / max) * (LEVELS.length - 1)))]!,
    )
    .join('');
}

/** 90061 → "1d 1h", 5400 → "1h 30m", 42 → "42s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400),
    h = Math.floor((s % 86_400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

export function formatFigure(f: Figure): string {
  if (f.value === null) return '-';
  if (f.unit === 'deploys_per_day') return `${f.value.toFixed(2)}/day`;
  if (f.unit === 'ratio') return `${(f.value * 100).toFixed(1)}%`;
  return `${formatDuration(f.value)} (p90 ${f.p90 == null ? '-' : formatDuration(f.p90)})`;
}

function counts(key: MetricKey, f: Figure): string {
  if (key === 'deploymentFrequency') return `${f.numerator} deploys / ${Number(f.denominator.toFixed(2))} days`;
  const excluded = Object.entries(f.excluded ?? {})
    .map(([why, n]) => `, ${n} ${why}`)
    .join('');
  return `${f.numerator} / ${f.denominator} ${f.denominatorUnit}${excluded}`;
}

/** The table people read: one row per metric, its figure, band, counts and a sparkline over the buckets. */
export function renderDora(report: DoraReport): void {
  const keys = Object.keys(LABELS) as MetricKey[];
  printLine(
    `DORA ${report.from} .. ${report.to} · ${report.environments.join(', ') || 'no production environment'}` +
      `${report.service ? ` · ${report.service.name}` : ''}${report.team ? ` · team ${report.team}` : ''} · bands ${report.bandsVersion} · per ${report.bucket}`,
  );
  printTable(
    ['metric', 'value', 'band', 'from', `trend (${report.buckets.length} ${report.bucket}s)`],
    keys.map((k) => [
      LABELS[k],
      formatFigure(report.summary[k]),
      cell(report.summary[k].band),
      counts(k, report.summary[k]),
      sparkline(report.buckets.map((b) => b.metrics[k].value)),
    ]),
    'No figures.',
  );
}

export function registerInsightCommands(program: Command): void {
  const insights = program.command('insights').description('deploy insights: DORA metrics');
  withJsonOption(
    insights
      .command('dora')
      .description('DORA metrics for a window: table and ASCII sparkline per metric (default: production, last 90 days, weekly)')
      .option('--service <idOrAlias>', 'only this service')
      .option('--team <owner>', 'only services this team owns')
      .option('--env <environment>', 'this environment instead of the production-tier ones')
      .option('--from <datetime>', 'window start (default 90 days before --to)')
      .option('--to <datetime>', 'window end (default now)')
      .option('--bucket <size>', 'day, week or month (default week)'),
  ).action(async (options: DoraOptions, command: Command) => {
    const report = await clientFor(command).get<DoraReport>(apiPath('insights', 'dora'), {
      service: options.service,
      team: options.team,
      environment: options.env,
      from: options.from,
      to: options.to,
      bucket: options.bucket,
    });
    if (wantsJson(command)) return printJson(report);
    renderDora(report);
  });
}
