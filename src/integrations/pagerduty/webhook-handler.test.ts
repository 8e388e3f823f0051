import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { StoredWebhook } from '../connection-type.js';
import { pagerdutyConnection } from './index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
// The connection type's webhook, as Shipline stores its deliveries.
const webhook = pagerdutyConnection.webhook as StoredWebhook;

const SECRET = 'whsec-pagerduty-test';
const connection = (secrets: Record<string, string> = { routingKey: 'r', webhookSecret: SECRET }): ConnectionWithSecrets => ({
  id: 'c1',
  name: 'pd',
  type: 'pagerduty',
  config: {},
  secrets,
  state: {},
  endpointId: 'e',
  createdAt: '',
  updatedAt: '',
});

// Computed independently with `openssl dgst -sha256 -hmac whsec-pagerduty-test` over the exact bytes.
const SMALL_BODY = Buffer.from('{"event":{"id":"x"}}');
const SMALL_SIGNATURE = 'fad0c76fa49cd9d75228274d6d6ffc14b364b986b162656acae331171ddf88fb';
const TRIGGERED_SIGNATURE = 'e04b09dc1fb79a50058e55e68ad36764c21429637cee502abb98130fe6192a89';

describe('PagerDuty webhook signatures', () => {
  it('accepts the signature of the exact body', () => {
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${SMALL_SIGNATURE}` }, SMALL_BODY)).toBeNull();
    // A fixture with UTF-8 beyond ASCII: the bytes, not a re-serialisation, are signed.
    expect(
      webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${TRIGGERED_SIGNATURE}` }, fixture('incident-triggered.json')),
    ).toBeNull();
  });

  it('accepts any of several signatures (secret rotation), in any position', () => {
    const other = 'v1=130dcacb53a94d983a37cf2acba98e805a1c37185309ba56fdcccbcf00d6dd8b';
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `${other},v1=${SMALL_SIGNATURE}` }, SMALL_BODY)).toBeNull();
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${SMALL_SIGNATURE}, ${other}` }, SMALL_BODY)).toBeNull();
  });

  it('refuses a wrong signature', () => {
    const wrong = SMALL_SIGNATURE.replace(/^f/, '0');
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${wrong}` }, SMALL_BODY)).toMatch(/does not match/);
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${SMALL_SIGNATURE.slice(0, 10)}` }, SMALL_BODY)).toMatch(
      /does not match/,
    );
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v2=${SMALL_SIGNATURE}` }, SMALL_BODY)).toMatch(/no v1 signature/);
  });

  it('refuses a delivery without the header', () => {
    expect(webhook.verify(connection(), {}, SMALL_BODY)).toBe('missing X-PagerDuty-Signature header');
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(fixture('incident-triggered.json').toString().replace('"urgency": "high"', '"urgency": "low"'));
    expect(webhook.verify(connection(), { 'x-pagerduty-signature': `v1=${TRIGGERED_SIGNATURE}` }, tampered)).toMatch(/does not match/);
  });

  it('refuses everything when no signing secret is stored', () => {
    expect(webhook.verify(connection({ routingKey: 'r' }), { 'x-pagerduty-signature': `v1=${SMALL_SIGNATURE}` }, SMALL_BODY)).toMatch(
      /no webhookSecret/,
    );
  });
});

describe('PagerDuty webhook events', () => {
  it('makes pagerduty.incident.triggered with the incident, service and times', () => {
    const body = JSON.parse(fixture('incident-triggered.json').toString()) as unknown;
    expect(webhook.events(connection(), body, {})).toEqual([
      {
        type: 'pagerduty.incident.triggered',
        sourceKey: 'pagerduty:5ac64822-4adc-4fda-ade0-410becf0de4f',
        timestamp: '2025-03-01T12:00:05.169Z',
        data: {
          incidentId: 'PGR0VU2',
          number: 2,
          title: 'Deploy api@1.4.2 to production failed — café ☕',
          status: 'triggered',
          urgency: 'high',
          service: { id: 'PF9KMXH', name: 'API Service' },
          createdAt: '2025-03-01T12:00:05Z',
          occurredAt: '2025-03-01T12:00:05.169Z',
          htmlUrl: 'https://acme.pagerduty.com/incidents/PGR0VU2',
          incidentKey: 'shipline/api/production',
          eventType: 'incident.triggered',
        },
      },
    ]);
  });

  it('makes pagerduty.incident.resolved with resolvedAt, for time to restore', () => {
    const body = JSON.parse(fixture('incident-resolved.json').toString()) as unknown;
    const [event] = webhook.events(connection(), body, {});
    expect(event).toMatchObject({
      type: 'pagerduty.incident.resolved',
      sourceKey: 'pagerduty:01DV3XQ2ZQ8M3QZ8K6M1TQ7G6B',
      data: {
        status: 'resolved',
        createdAt: '2025-03-01T12:00:05Z',
        occurredAt: '2025-03-01T12:41:17.512Z',
        resolvedAt: '2025-03-01T12:41:17.512Z',
        eventType: 'incident.resolved',
      },
    });
  });

  it('makes pagerduty.incident.acknowledged, without resolvedAt', () => {
    const body = JSON.parse(fixture('incident-triggered.json').toString()) as { event: { event_type: string; data: { status: string } } };
    body.event.event_type = 'incident.acknowledged';
    body.event.data.status = 'acknowledged';
    const [event] = webhook.events(connection(), body, {});
    expect(event?.type).toBe('pagerduty.incident.acknowledged');
    expect(event?.data).not.toHaveProperty('resolvedAt');
  });

  it('makes nothing of a ping or of other event types', () => {
    expect(webhook.events(connection(), JSON.parse(fixture('ping.json').toString()), {})).toEqual([]);
    const body = JSON.parse(fixture('incident-triggered.json').toString()) as { event: { event_type: string } };
    body.event.event_type = 'incident.priority_updated';
    expect(webhook.events(connection(), body, {})).toEqual([]);
    expect(webhook.events(connection(), { not: 'pagerduty' }, {})).toEqual([]);
    expect(webhook.deploys).toBeUndefined();
  });
});
