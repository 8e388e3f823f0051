import { Type } from 'typebox';
import type { Static } from 'typebox';
import type { Outcome } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import { NonRetriableError } from '../../engine/action.js';
import { enqueue, openPagerDuty } from './client.js';
import type { EventDefaults } from './defaults.js';
import { clip, defaultsFrom, MAX_SUMMARY } from './defaults.js';
import { LinkSchema } from './event.js';

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', minLength: 1, description: 'The PagerDuty connection (name)' }),
    summary: Type.Optional(
      Type.String({
        title: 'Summary',
        minLength: 1,
        description:
          'What changed (cut at 1,024 characters); default "Deployed <service> #<n> to <environment>" from a deploy or Octopus event',
      }),
    ),
    source: Type.Optional(
      Type.String({
        title: 'Source',
        placeholder: 'shipline',
        minLength: 1,
        description: 'Where the change came from; default "shipline"',
      }),
    ),
    timestamp: Type.Optional(
      Type.String({
        title: 'Timestamp',
        placeholder: '2026-01-31T09:00:00Z',
        description: 'When it happened (ISO 8601); default the deploy time',
      }),
    ),
    custom_details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        title: 'Custom details',
        description: "Extra fields; default the deploy's service, environment, commit...",
      }),
    ),
    links: Type.Optional(Type.Array(LinkSchema, { title: 'Links', description: 'Links shown with the change; default the deploy URL' })),
  },
  { additionalProperties: false },
);

export type PagerDutyChangeEventConfig = Static<typeof Config>;

/** A success reads as a change ("Deployed api #42 to production"); anything else keeps its status. */
function changeSummary(defaults: EventDefaults): string | undefined {
  if (!defaults.summary) return undefined;
  if (defaults.status !== 'succeeded') return defaults.summary;
  const details = defaults.customDetails ?? {};
  const what = String(details.service ?? details.project ?? defaults.component ?? '');
  if (details.project !== undefined) {
    const release = details.release === undefined ? '' : ` ${String(details.release)}`;
    return `Deployed ${what}${release}${defaults.group ? ` to ${defaults.group}` : ''}`;
  }
  const number = details.deploy_number === undefined ? '' : ` #${String(details.deploy_number)}`;
  return `Deployed ${what}${number}${defaults.group ? ` to ${defaults.group}` : ''}`;
}

/**
 * `pagerduty.changeEvent`: a deploy as a PagerDuty change event (shown beside incidents on the
 * service, so responders see what was just deployed). With a deploy or Octopus event, `with:`
 * can be just the connection.
 */
export const pagerdutyChangeEventAction = defineAction({
  name: 'pagerduty.changeEvent',
  description: 'Sends a deploy to PagerDuty as a change event (Events API v2), defaulting every field from a deploy or Octopus event',
  channels: ['success', 'failed'],
  config: Config,
  exampleOutput: { status: 'success', message: 'Change event processed' },

  async run(ctx, config): Promise<Outcome> {
    const settings = await openPagerDuty(ctx, config.connection);
    const defaults = defaultsFrom(ctx.event);
    const summary = config.summary ?? changeSummary(defaults);
    if (!summary)
      throw new NonRetriableError(
        `pagerduty.changeEvent: "summary" is required for a ${ctx.event.type} event (defaults exist only for deploy.recorded and octopus.deployment.*)`,
      );
    const timestamp = config.timestamp ?? defaults.timestamp;
    const customDetails = config.custom_details ?? defaults.customDetails;
    const links = config.links ?? defaults.links;
    const body: Record<string, unknown> = {
      routing_key: settings.routingKey,
      payload: {
        summary: clip(summary, MAX_SUMMARY),
        source: config.source ?? 'shipline',
        ...(timestamp ? { timestamp } : {}),
        ...(customDetails && Object.keys(customDetails).length > 0 ? { custom_details: customDetails } : {}),
      },
      ...(links && links.length > 0 ? { links } : {}),
    };
    const answer = await enqueue(ctx, settings, '/v2/change/enqueue', body);
    return { channel: 'success', output: { status: answer.status, message: answer.message } };
  },
});
