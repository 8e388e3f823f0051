import { randomUUID } from 'node:crypto';
import { jsonAnswer as json, recordWithUrl, StandInServer } from '../stand-in-base.test-support.js';
import type { StandInAnswer, StandInRequest, UrlRecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local PagerDuty for tests: the Events API v2 (`POST /v2/enqueue`, `POST /v2/change/enqueue`)
 * and the one REST call Shipline makes (`GET /abilities`), on 127.0.0.1. It records every request
 * with its raw body and answers as PagerDuty does (https://developer.pagerduty.com/docs/events-api-v2/overview/): 202 with
 * `{status, message, dedup_key}`, 400 `{"status":"invalid event","message":"Event object is
 * invalid","errors":[...]}` for an event PagerDuty would refuse (the routing-key messages are
 * PagerDuty's own; the others follow the same form), 401 with the REST error body for a bad token.
 * `failNext` queues a canned answer (429, 5xx...) for the next request to a path.
 */

export type { UrlRecordedRequest as RecordedRequest };

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface PagerDutyStandIn {
  /** Base URL for both eventsUrl and apiUrl. */
  url: string;
  /** The routing keys the stand-in knows; events for any other 32-character key are refused. */
  routingKeys: Set<string>;
  apiToken: string;
  requests: UrlRecordedRequest[];
  /** Alerts by dedup_key: opened by trigger, moved by acknowledge/resolve (dropped when unknown or resolved). */
  alerts: Map<string, { status: 'triggered' | 'acknowledged' | 'resolved'; summary: string; routingKey: string }>;
  changes: unknown[];
  /** Things PagerDuty would accept but a correct client does not send (e.g. an Authorization header on the Events API). */
  problems: string[];
  failNext(path: string, answer: CannedAnswer): void;
  close(): Promise<void>;
}

export const STAND_IN_ROUTING_KEY = 'e93facc04764012d7bfb002500d5d1a6';
export const STAND_IN_API_TOKEN = 'y_NbAkKc66ryYTWUXYEu';

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);
const ACTIONS = new Set(['trigger', 'acknowledge', 'resolve']);

const invalid = (errors: string[]) => ({ status: 'invalid event', message: 'Event object is invalid', errors });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function routingKeyErrors(key: unknown, known: Set<string>): string[] {
  if (typeof key !== 'string' || key === '') return ["'routing_key' is missing or blank"];
  const errors: string[] = [];
  if (key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!/^[A-Za-z0-9]*$/.test(key)) errors.push("'routing_key' cannot contain non-alphanumeric characters.");
  if (errors.length === 0 && !known.has(key)) errors.push('Invalid routing key');
  return errors;
}

function linkErrors(links: unknown): string[] {
  if (links === undefined) return [];
  if (!Array.isArray(links) || !links.every((l) => isObject(l) && typeof l.href === 'string' && l.href !== ''))
    return ["'links' must be an array of objects with an 'href'"];
  return [];
}

function timestampErrors(timestamp: unknown): string[] {
  if (timestamp === undefined) return [];
  return typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))
    ? []
    : ["'payload.timestamp' is not a valid ISO 8601 timestamp"];
}

export async function startPagerDutyStandIn(): Promise<PagerDutyStandIn> {
  const server = new StandInServer<UrlRecordedRequest>({
    record: recordWithUrl,
    answer: (_recorded, request) => route(request),
  });
  const stand: PagerDutyStandIn = {
    url: '',
    routingKeys: new Set([STAND_IN_ROUTING_KEY]),
    apiToken: STAND_IN_API_TOKEN,
    requests: server.requests,
    alerts: new Map(),
    changes: [],
    problems: [],
    failNext(path, answer) {
      server.failNextAt(path, {
        status: answer.status,
        headers: { 'content-type': 'application/json', ...answer.headers },
        body: answer.body ?? '',
      });
    },
    close: () => server.close(),
  };

  const eventsHeaders = (req: StandInRequest): void => {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
      stand.problems.push(`${req.target}: content-type is ${req.headers['content-type'] ?? 'missing'}, not application/json`);
    if (req.headers.authorization !== undefined)
      stand.problems.push(`${req.target}: the Events API takes the routing key in the body, yet an Authorization header was sent`);
  };

  const enqueue = (req: StandInRequest, body: unknown): StandInAnswer => {
    eventsHeaders(req);
    if (!isObject(body)) return json(400, invalid(['Request body is not a JSON object']));
    const errors = routingKeyErrors(body.routing_key, stand.routingKeys);
    const action = body.event_action;
    if (typeof action !== 'string' || !ACTIONS.has(action)) errors.push("'event_action' must be one of trigger, acknowledge, resolve");
    const dedupKey = body.dedup_key;
    if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey === '' || dedupKey.length > 255))
      errors.push("'dedup_key' must be a string of at most 255 characters");
    if ((action === 'acknowledge' || action === 'resolve') && dedupKey === undefined) errors.push(`'dedup_key' is required for ${action}`);
    const payload = body.payload;
    if (action === 'trigger') {
      if (!isObject(payload)) errors.push("'payload' is missing");
      else {
        if (typeof payload.summary !== 'string' || payload.summary.trim() === '') errors.push("'payload.summary' is missing or blank");
        else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
        if (typeof payload.source !== 'string' || payload.source.trim() === '') errors.push("'payload.source' is missing or blank");
        if (typeof payload.severity !== 'string' || !SEVERITIES.has(payload.severity))
          errors.push("'payload.severity' must be one of critical, error, warning, info");
        errors.push(...timestampErrors(payload.timestamp));
        if (payload.custom_details !== undefined && !isObject(payload.custom_details))
          errors.push("'payload.custom_details' must be an object");
      }
    }
    errors.push(...linkErrors(body.links));
    if (errors.length > 0) return json(400, invalid(errors));
    const key = typeof dedupKey === 'string' ? dedupKey : randomUUID().replace(/-/g, '');
    const open = stand.alerts.get(key);
    if (action === 'trigger') {
      if (!open || open.status === 'resolved')
        stand.alerts.set(key, {
          status: 'triggered',
          summary: String((payload as Record<string, unknown>).summary),
          routingKey: String(body.routing_key),
        });
    } else if (open && open.status !== 'resolved' && open.routingKey === body.routing_key) {
      // Acknowledge/resolve act only on an open alert from the same routing key; otherwise PagerDuty drops them (still 202).
      open.status = action === 'resolve' ? 'resolved' : 'acknowledged';
    }
    return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
  };

  const changeEnqueue = (req: StandInRequest, body: unknown): StandInAnswer => {
    eventsHeaders(req);
    if (!isObject(body)) return json(400, invalid(['Request body is not a JSON object']));
    const errors = routingKeyErrors(body.routing_key, stand.routingKeys);
    const payload = body.payload;
    if (!isObject(payload)) errors.push("'payload' is missing");
    else {
      if (typeof payload.summary !== 'string' || payload.summary.trim() === '') errors.push("'payload.summary' is missing or blank");
      else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
      errors.push(...timestampErrors(payload.timestamp));
      if (payload.severity !== undefined) stand.problems.push('change events take no severity');
    }
    if (body.event_action !== undefined) stand.problems.push('change events take no event_action');
    errors.push(...linkErrors(body.links));
    if (errors.length > 0) return json(400, invalid(errors));
    stand.changes.push(body);
    return json(202, { status: 'success', message: 'Change event processed' });
  };

  const abilities = (req: StandInRequest): StandInAnswer => {
    if (req.headers.accept !== 'application/vnd.pagerduty+json;version=2')
      stand.problems.push(`/abilities: Accept is ${req.headers.accept ?? 'missing'}`);
    if (req.headers.authorization !== `Token token=${stand.apiToken}`) {
      return json(401, { error: { message: 'Authentication failed', code: 2006 } });
    }
    return json(200, { abilities: ['teams', 'read_only_users', 'urgencies'] });
  };

  const route = (req: StandInRequest): StandInAnswer => {
    if (!req.parses) return json(400, invalid(['Request body is not valid JSON']));
    if (req.method === 'POST' && req.path === '/v2/enqueue') return enqueue(req, req.json);
    if (req.method === 'POST' && req.path === '/v2/change/enqueue') return changeEnqueue(req, req.json);
    if (req.method === 'GET' && req.path === '/abilities') return abilities(req);
    return json(404, { error: { message: 'Not Found', code: 2100 } });
  };

  stand.url = await server.listen();
  return stand;
}
