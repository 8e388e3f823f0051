import type { ConnectionCheck, ConnectionType } from '../connection-type.js';
import { pagerdutyChangeEventAction } from './change-event.js';
import { listAbilities, PagerDutyConfig, PagerDutySecrets, routingKeyProblem, settingsOf } from './client.js';
import { pagerdutyEventAction } from './event.js';
import { pagerdutyTemplates } from './templates.js';
import { pagerdutyWebhook } from './webhook-handler.js';
import { errorMessage } from '../../core/error-message.js';
import { PAGERDUTY_EVENTS } from './events.js';

/** Said of a routing key that looks right: the Events API has no call that checks one without sending an event. */
export const ROUTING_KEY_UNCHECKED = 'The routing key has the right form but cannot be checked without sending an event';

/**
 * The PagerDuty integration: alert and change events through the Events API v2 (keyed by an
 * integration's routing key), and incidents from v3 webhooks as `pagerduty.incident.*` events.
 */
export const pagerdutyConnection: ConnectionType = {
  type: 'pagerduty',
  title: 'PagerDuty',
  description:
    'Sends alerts (trigger, acknowledge, resolve) and change events to a PagerDuty service through the Events API v2, using the routing key of an "Events API v2" integration on that service. ' +
    'With a v3 webhook subscription pointed at Shipline (and its signing secret stored here), incidents triggered, acknowledged and resolved arrive as pagerduty.incident.* events.',
  config: PagerDutyConfig,
  secrets: PagerDutySecrets,

  async test(connection, http, signal): Promise<ConnectionCheck> {
    const settings = settingsOf(connection);
    const keyProblem = routingKeyProblem(settings.routingKey);
    if (keyProblem) return { status: 'error', error: keyProblem };
    const details: Record<string, unknown> = {
      routingKey: ROUTING_KEY_UNCHECKED,
      webhooks: settings.webhookSecret ? 'signing secret stored' : 'no signing secret: webhooks are refused',
    };
    if (!settings.apiToken) return { status: 'ready', details };
    try {
      const abilities = await listAbilities(http, settings, signal);
      return { status: 'ready', details: { ...details, apiToken: 'valid', abilities: abilities.length } };
    } catch (err) {
      return { status: 'error', error: `PagerDuty REST API: ${errorMessage(err)}`, details };
    }
  },

  actions: [pagerdutyEventAction, pagerdutyChangeEventAction],
  webhook: pagerdutyWebhook,
  events: PAGERDUTY_EVENTS,
  templates: pagerdutyTemplates,
  scriptEnv: {
    variables: [
      { name: 'PAGERDUTY_ROUTING_KEY', description: "The Events API v2 integration's routing key", secret: true },
      { name: 'PAGERDUTY_EVENTS_URL', description: 'The Events API v2 base URL', secret: false },
      { name: 'PAGERDUTY_TOKEN', description: 'The REST API token, when the connection has one', secret: true },
      { name: 'PAGERDUTY_API_URL', description: 'The REST API base URL', secret: false },
    ],
    values(connection) {
      const settings = settingsOf(connection);
      return {
        PAGERDUTY_ROUTING_KEY: settings.routingKey,
        PAGERDUTY_EVENTS_URL: settings.eventsUrl,
        ...(settings.apiToken ? { PAGERDUTY_TOKEN: settings.apiToken } : {}),
        PAGERDUTY_API_URL: settings.apiUrl,
      };
    },
  },
};
