import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { enqueue, openPagerDuty } from './client.js';
import { clip, defaultsFrom, MAX_SUMMARY } from './defaults.js';

export const LinkSchema = Type.Object(
  {
    href: Type.String({ title: 'URL', placeholder: 'https://ci.example.com/deploys/42', minLength: 1, description: 'The link URL' }),
    text: Type.Optional(Type.String({ title: 'Text', description: 'The link text' })),
  },
  { additionalProperties: false },
);

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', minLength: 1, description: 'The PagerDuty connection (name)' }),
    action: Type.Optional(
      Type.Union([Type.Literal('trigger'), Type.Literal('acknowledge'), Type.Literal('resolve')], {
        title: 'Event action',
        description:
          'trigger opens (or adds to) an alert, acknowledge and resolve act on the alert with the same dedup_key; default trigger',
      }),
    ),
    dedup_key: Type.Optional(
      Type.String({
        title: 'Deduplication key',
        minLength: 1,
        maxLength: 255,
        description:
          'Identifies the alert; default for deploy.recorded and octopus.deployment.* events: shipline/<service>/<environment>, so the next success can resolve a failure',
      }),
    ),
    summary: Type.Optional(
      Type.String({
        title: 'Summary',
        minLength: 1,
        description: 'The alert title (cut at 1,024 characters); default from a deploy or Octopus event',
      }),
    ),
    source: Type.Optional(
      Type.String({
        title: 'Source',
        placeholder: 'shipline',
        minLength: 1,
        description: 'The affected system (host, service); default "shipline"',
      }),
    ),
    severity: Type.Optional(
      Type.Union([Type.Literal('critical'), Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')], {
        title: 'Severity',
        description: 'critical, error, warning or info; default error',
      }),
    ),
    timestamp: Type.Optional(
      Type.String({
        title: 'Timestamp',
        placeholder: '2026-01-31T09:00:00Z',
        description: 'When it happened (ISO 8601); default the deploy time',
      }),
    ),
    component: Type.Optional(Type.String({ title: 'Component', description: 'The affected component; default the service' })),
    group: Type.Optional(Type.String({ title: 'Group', description: 'A logical grouping; default the environment' })),
    class: Type.Optional(Type.String({ title: 'Class', description: 'The kind of problem; default "deploy" for deploy events' })),
    custom_details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        title: 'Custom details',
        description: "Extra fields shown on the alert; default the deploy's service, environment, commit...",
      }),
    ),
    links: Type.Optional(Type.Array(LinkSchema, { title: 'Links', description: 'Links shown on the alert; default the deploy URL' })),
  },
  { additionalProperties: false },
);

export type PagerDutyEventConfig = Static<typeof Config>;

/**
 * `pagerduty.event`: an alert event (trigger, acknowledge, resolve) through the Events API v2.
 * With a deploy or Octopus event every field but the connection has a default, and the default
 * dedup_key names the service and environment, so `pagerduty-resolve-on-success` closes the
 * alert a failure opened.
 */
export const pagerdutyEventAction = defineAction({
  name: 'pagerduty.event',
  description:
    'Triggers, acknowledges or resolves a PagerDuty alert (Events API v2), defaulting every field from a deploy or Octopus event',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { dedup_key: 'shipline/api/production', status: 'success', message: 'Event processed' },

  async run(ctx, config): Promise<Outcome> {
    const settings = await openPagerDuty(ctx, config.connection);
    const defaults = defaultsFrom(ctx.event);
    const action = config.action ?? 'trigger';
    const dedupKey = config.dedup_key ?? defaults.dedupKey;
    const body: Record<string, unknown> = { routing_key: settings.routingKey, event_action: action };
    if (dedupKey) body.dedup_key = dedupKey;
    if (action === 'trigger') {
      const summary = config.summary ?? defaults.summary;
      if (!summary)
        throw new NonRetriableError(
          `pagerduty.event: "summary" is required to trigger on a ${ctx.event.type} event (defaults exist only for deploy.recorded and octopus.deployment.*)`,
        );
      if (summary.length > MAX_SUMMARY) ctx.log(`summary cut to ${MAX_SUMMARY} characters`);
      const component = config.component ?? defaults.component;
      const group = config.group ?? defaults.group;
      const klass = config.class ?? (defaults.summary ? 'deploy' : undefined);
      const customDetails = config.custom_details ?? defaults.customDetails;
      body.payload = {
        summary: clip(summary, MAX_SUMMARY),
        source: config.source ?? 'shipline',
        severity: config.severity ?? 'error',
        ...((config.timestamp ?? defaults.timestamp) ? { timestamp: config.timestamp ?? defaults.timestamp } : {}),
        ...(component ? { component } : {}),
        ...(group ? { group } : {}),
        ...(klass ? { class: klass } : {}),
        ...(customDetails && Object.keys(customDetails).length > 0 ? { custom_details: customDetails } : {}),
      };
      const links = config.links ?? defaults.links;
      if (links && links.length > 0) body.links = links;
      body.client = 'Shipline';
    } else if (!dedupKey) {
      throw new NonRetriableError(`pagerduty.event: "dedup_key" is required to ${action} (no default for a ${ctx.event.type} event)`);
    }
    const answer = await enqueue(ctx, settings, '/v2/enqueue', body);
    const output = { dedup_key: answer.dedup_key ?? dedupKey ?? null, status: answer.status, message: answer.message };
    ctx.log(`${action} ${output.dedup_key ?? ''}: ${answer.message}`);
    return { channel: 'success', output };
  },
});
