import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGERDUTY_EVENTS } from './events.js';
import { INCIDENT_EVENT_TYPES, pagerdutyEvents } from './webhook-handler.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as {
    event: { event_type: string; occurred_at: string; data: Record<string, unknown> };
  };
const example = (type: string) => PAGERDUTY_EVENTS.find((e) => e.type === type)?.example;
const dataOf = (body: unknown) => pagerdutyEvents(body).map((e) => [e.type, e.data]);

describe('the events PagerDuty declares', () => {
  it.each([
    ['pagerduty.incident.triggered', 'incident-triggered.json'],
    ['pagerduty.incident.resolved', 'incident-resolved.json'],
  ])('give as example of %s what the handler makes of fixtures/%s', (type, name) => {
    expect(dataOf(fixture(name))).toEqual([[type, example(type)]]);
  });

  it('give as example of an acknowledgement what the handler makes of the triggered delivery acknowledged', () => {
    const body = fixture('incident-triggered.json');
    body.event.event_type = 'incident.acknowledged';
    body.event.occurred_at = '2025-03-01T12:02:41.820Z';
    body.event.data.status = 'acknowledged';
    expect(dataOf(body)).toEqual([['pagerduty.incident.acknowledged', example('pagerduty.incident.acknowledged')]]);
  });

  it('declare exactly the types the handler makes', () => {
    expect(PAGERDUTY_EVENTS.map((e) => e.type).sort()).toEqual(Object.values(INCIDENT_EVENT_TYPES).sort());
  });
});
