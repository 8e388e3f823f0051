import type { Bound } from './bind.js';
import { invalid } from './errors.js';
import { sameId } from './lookup.js';
import { octopusTimeOrNull } from './time.js';
import type { SimFilter, SimState, SimSubscription } from './types.js';

/**
 * Subscriptions: reading a create/update body into the model, and the two ways Octopus shows one
 * (the API resource, and the copy embedded in each webhook payload, which lacks the Slack fields
 * in the 2023 capture).
 */

const FILTER_KEYS: Array<keyof SimFilter> = [
  'Users',
  'Projects',
  'ProjectGroups',
  'Environments',
  'EventGroups',
  'EventCategories',
  'EventAgents',
  'Tenants',
  'Tags',
  'DocumentTypes',
];

function readFilter(body: Bound | undefined): SimFilter {
  const filter = {} as SimFilter;
  for (const key of FILTER_KEYS) filter[key] = body?.strings(key) ?? [];
  return filter;
}

/**
 * WebhookHeaderValue arrives as a plain string, as a sensitive value `{HasValue, NewValue}`, or
 * wrapped `{IsSensitive, SensitiveValue: {...}, Value}`. A sensitive value with HasValue and no
 * NewValue means "unchanged" (what a client sends back after reading one), HasValue false clears it.
 */
function readHeaderValue(body: Bound, existing: string | null): string | null {
  const raw = body.raw('WebhookHeaderValue');
  if (typeof raw === 'string') return raw;
  const value = body.object('WebhookHeaderValue');
  if (!value) return null;
  if (value.has('IsSensitive') || value.has('SensitiveValue') || value.has('Value')) {
    if (value.boolean('IsSensitive') !== true) return value.string('Value') ?? null;
    const sensitive = value.object('SensitiveValue');
    return sensitive ? readSensitive(sensitive, existing) : null;
  }
  return readSensitive(value, existing);
}

function readSensitive(value: Bound, existing: string | null): string | null {
  if (value.boolean('HasValue') === false) return null;
  const newValue = value.raw('NewValue');
  return typeof newValue === 'string' ? newValue : existing;
}

/** Applies a POST/PUT body; `existing` is the subscription being replaced, if any. */
export function readSubscription(
  state: SimState,
  spaceId: string,
  body: Bound,
  existing: SimSubscription | undefined,
): Omit<SimSubscription, 'id'> {
  const name = body.string('Name')?.trim();
  if (!name) throw invalid('Please provide a name for the subscription.');
  const clash = state.subscriptions.find((s) => s.spaceId === spaceId && s.id !== existing?.id && sameId(s.name, name));
  if (clash) throw invalid(`A subscription with the name '${name}' already exists. Please choose a different name.`);
  const ens = body.object('EventNotificationSubscription');
  const uri = ens?.string('WebhookURI') ?? null;
  if (uri !== null && !/^https?:\/\/[^/]/i.test(uri)) throw invalid(`The webhook URI '${uri}' is not an absolute http or https URL.`);
  return {
    spaceId,
    name,
    isDisabled: body.boolean('IsDisabled') ?? false,
    filter: readFilter(ens?.object('Filter')),
    webhookUri: uri,
    webhookTimeout: ens?.string('WebhookTimeout') ?? '00:00:10',
    webhookHeaderKey: ens?.string('WebhookHeaderKey') ?? null,
    webhookHeaderValue: ens ? readHeaderValue(ens, existing?.webhookHeaderValue ?? null) : null,
    webhookTeams: ens?.strings('WebhookTeams') ?? [],
    emailTeams: ens?.strings('EmailTeams') ?? [],
    emailFrequencyPeriod: ens?.string('EmailFrequencyPeriod') ?? '01:00:00',
    emailPriority: ens?.string('EmailPriority') ?? 'Normal',
    emailShowDatesInTimeZoneId: ens?.string('EmailShowDatesInTimeZoneId') ?? 'UTC',
    slackChannelIds: ens?.strings('SlackChannelIds') ?? [],
    slackChannelNames: ens?.strings('SlackChannelNames') ?? [],
    slackFrequencyPeriod: ens?.string('SlackFrequencyPeriod') ?? null,
    webhookLastProcessed: existing?.webhookLastProcessed ?? null,
    webhookLastProcessedEventAutoId: existing?.webhookLastProcessedEventAutoId ?? null,
  };
}

function shownHeaderValue(s: SimSubscription, sensitive: boolean): unknown {
  if (!sensitive) return s.webhookHeaderValue;
  return { HasValue: s.webhookHeaderValue !== null, NewValue: null, Hint: null };
}

/** The EventNotificationSubscription keys of the 2023 webhook capture, in its order. */
function notification(s: SimSubscription, sensitive: boolean): Record<string, unknown> {
  return {
    EmailDigestLastProcessed: null,
    EmailDigestLastProcessedEventAutoId: null,
    EmailFrequencyPeriod: s.emailFrequencyPeriod,
    EmailPriority: s.emailPriority,
    EmailShowDatesInTimeZoneId: s.emailShowDatesInTimeZoneId,
    EmailTeams: s.emailTeams,
    Filter: Object.fromEntries(FILTER_KEYS.map((k) => [k, s.filter[k]])),
    WebhookHeaderKey: s.webhookHeaderKey,
    WebhookHeaderValue: shownHeaderValue(s, sensitive),
    WebhookLastProcessed: octopusTimeOrNull(s.webhookLastProcessed),
    WebhookLastProcessedEventAutoId: s.webhookLastProcessedEventAutoId,
    WebhookTeams: s.webhookTeams,
    WebhookTimeout: s.webhookTimeout,
    WebhookURI: s.webhookUri,
  };
}

/** The subscription as embedded in a webhook payload (`Payload.Subscription`). */
export function payloadSubscription(s: SimSubscription, sensitive: boolean): Record<string, unknown> {
  return {
    EventNotificationSubscription: notification(s, sensitive),
    Id: s.id,
    IsDisabled: s.isDisabled,
    Links: { Self: `/api/${s.spaceId}/subscriptions/${s.id}` },
    Name: s.name,
    SpaceId: s.spaceId,
    Type: 'Event',
  };
}

/** The subscription as the API returns it: the payload's fields plus the Slack ones. */
export function subscriptionResource(s: SimSubscription, sensitive: boolean): Record<string, unknown> {
  return {
    Id: s.id,
    Name: s.name,
    Type: 'Event',
    IsDisabled: s.isDisabled,
    EventNotificationSubscription: {
      ...notification(s, sensitive),
      SlackChannelIds: s.slackChannelIds,
      SlackChannelNames: s.slackChannelNames,
      SlackFrequencyPeriod: s.slackFrequencyPeriod,
      SlackDigestLastProcessed: null,
      SlackDigestLastProcessedEventAutoId: null,
    },
    SpaceId: s.spaceId,
    Links: { Self: `/api/${s.spaceId}/subscriptions/${s.id}` },
  };
}
