import { describe, expect, it } from 'vitest';
import { storableDelivery } from './delivery-secrets.js';
import { parseDelivery } from './payload.js';

const delivery = (subscription: Record<string, unknown>, message = 'Deploy to Production succeeded') => ({
  Timestamp: '2026-02-05T16:05:00.000+00:00',
  EventType: 'SubscriptionPayload',
  Payload: {
    ServerUri: 'https://octopus.example',
    Event: { Id: 'Events-1', Category: 'DeploymentSucceeded', Message: message, RelatedDocumentIds: ['Deployments-1'] },
    Subscription: subscription,
  },
});

describe('storableDelivery', () => {
  it('drops the header value in every form a server sends it, and keeps what Shipline reads', () => {
    for (const value of [
      's3cret-value',
      { HasValue: true, NewValue: 's3cret-value' },
      { IsSensitive: true, SensitiveValue: { HasValue: true, NewValue: 's3cret-value' }, Value: 's3cret-value' },
    ]) {
      const body = delivery({
        Id: 'Subscriptions-1',
        Name: 'Shipline',
        EventNotificationSubscription: {
          WebhookURI: 'https://shipline.example/hooks',
          WebhookHeaderKey: 'X-Shipline-Webhook-Secret',
          WebhookHeaderValue: value,
          WebhookTimeout: '00:00:10',
        },
      });
      const stored = storableDelivery(body, []);
      expect(JSON.stringify(stored)).not.toContain('s3cret-value');
      expect(stored).toMatchObject({
        Payload: {
          Subscription: {
            Id: 'Subscriptions-1',
            EventNotificationSubscription: { WebhookURI: 'https://shipline.example/hooks', WebhookTimeout: '00:00:10' },
          },
        },
      });
      expect(parseDelivery(stored)).toEqual(parseDelivery(body));
      // The body as received is not changed.
      expect(JSON.stringify(body)).toContain('s3cret-value');
    }
  });

  it('matches keys case-insensitively and masks a connection secret wherever else it appears', () => {
    const body = {
      payload: {
        subscription: { eventNotificationSubscription: { webhookheadervalue: 'lower-case-secret' } },
        Event: { Id: 'Events-2', Category: 'MachineAdded', Message: 'key api-KEY-123456 leaked' },
      },
    };
    const stored = JSON.stringify(storableDelivery(body, ['api-KEY-123456']));
    expect(stored).not.toContain('lower-case-secret');
    expect(stored).not.toContain('api-KEY-123456');
  });

  it('leaves a body without a subscription as it is', () => {
    expect(storableDelivery({ Payload: { Event: { Id: 'Events-3' } } }, [])).toEqual({ Payload: { Event: { Id: 'Events-3' } } });
    expect(storableDelivery('text', [])).toBe('text');
  });
});
