import fs from 'node:fs';
import type http from 'node:http';
import { jsonAnswer, StandIn } from '../stand-in-base.test-support.js';
import type { BodyAnswer, StandInAnswer, StandInRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for a Discord incoming webhook, answering with the recorded fixtures:
 *
 * - `GET /api[/v10]/webhooks/{id}/{token}` (Get Webhook with Token): `fixtures/get-webhook.ok.json`,
 *   the webhook object without `user`
 *   (https://discord.com/developers/docs/resources/webhook#get-webhook-with-token);
 * - `POST` to the same path (Execute Webhook): with `?wait=true` the saved message, shaped as
 *   `fixtures/execute-webhook.ok.json`; without it 204
 *   (https://discord.com/developers/docs/resources/webhook#execute-webhook);
 * - an unknown webhook id: `fixtures/unknown-webhook.404.json`; a wrong token:
 *   `fixtures/invalid-webhook-token.401.json`; a username Discord forbids:
 *   `fixtures/invalid-form-body.400.json`; other refusals in the same `{code, message, errors}`
 *   shape (https://discord.com/developers/docs/reference#error-messages);
 * - `rateLimitNext()`: `fixtures/rate-limited.429.json` with its headers
 *   (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit).
 *
 * Every request is recorded with its raw body; `failNext` queues any other answer.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  json: unknown;
}

/** A fixture: a body (`*.ok.json`) or a whole answer (`*.<status>.json`). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

function recordedAnswer(name: string): BodyAnswer {
  const answer = fixture<{ status: number; headers: Record<string, string>; body: unknown }>(name);
  return { status: answer.status, headers: answer.headers, body: JSON.stringify(answer.body) };
}

const WEBHOOK = fixture<{ id: string; token: string; channel_id: string }>('get-webhook.ok.json');
export const WEBHOOK_ID = WEBHOOK.id;
export const WEBHOOK_TOKEN = WEBHOOK.token;
export const CHANNEL_ID = WEBHOOK.channel_id;
/** The id of the first message the stand-in saves (the fixture's); later ones count up. */
export const FIRST_MESSAGE_ID = fixture<{ id: string }>('execute-webhook.ok.json').id;

const PATH = /^\/api(?:\/v\d+)?\/webhooks\/([^/]+)\/([^/]+)$/;
const LIMITS = { content: 2000, title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, embeds: 10, total: 6000 };

type Embed = { title?: string; description?: string; footer?: { text?: string }; fields?: Array<{ name?: string; value?: string }> };

export class DiscordStandIn extends StandIn<RecordedRequest> {
  /** The messages saved, as Discord answers them. */
  readonly messages: Array<Record<string, unknown>> = [];

  constructor() {
    super(({ method, path, query, headers, raw, json }: StandInRequest): RecordedRequest => ({ method, path, query, headers, raw, json }));
  }

  /** The webhook URL as Discord shows it, on the stand-in. */
  webhookUrl(token = WEBHOOK_TOKEN, id = WEBHOOK_ID): string {
    return `${this.url}/api/webhooks/${id}/${token}`;
  }

  clear(): void {
    this.http.clear();
    this.messages.length = 0;
  }

  /** The next request gets Discord's 429 (fixtures/rate-limited.429.json). */
  rateLimitNext(): void {
    this.failNext(recordedAnswer('rate-limited.429.json'));
  }

  protected answer(request: RecordedRequest): StandInAnswer {
    const match = PATH.exec(request.path);
    if (!match) return jsonAnswer(404, { message: '404: Not Found', code: 0 });
    if (match[1] !== WEBHOOK_ID) return recordedAnswer('unknown-webhook.404.json');
    if (match[2] !== WEBHOOK_TOKEN) return recordedAnswer('invalid-webhook-token.401.json');
    if (request.method === 'GET') return jsonAnswer(200, fixture('get-webhook.ok.json'));
    if (request.method !== 'POST') return jsonAnswer(405, { message: '405: Method Not Allowed', code: 0 });
    return this.execute(request);
  }

  private execute(request: RecordedRequest): StandInAnswer {
    const body = request.json as { content?: unknown; username?: unknown; embeds?: Embed[] } | undefined;
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json') || !body || typeof body !== 'object')
      return jsonAnswer(400, { message: 'Cannot send an empty message', code: 50006 });
    if (typeof body.username === 'string' && /discord|clyde/i.test(body.username)) return recordedAnswer('invalid-form-body.400.json');
    const problem = formProblem(body);
    if (problem) return jsonAnswer(400, { message: 'Invalid Form Body', code: 50035, errors: problem });
    if (!body.content && !(body.embeds ?? []).length) return jsonAnswer(400, { message: 'Cannot send an empty message', code: 50006 });
    const saved = {
      ...fixture<Record<string, unknown>>('execute-webhook.ok.json'),
      id: (BigInt(FIRST_MESSAGE_ID) + BigInt(this.messages.length)).toString(),
      content: typeof body.content === 'string' ? body.content : '',
      embeds: (body.embeds ?? []).map((e) => ({ type: 'rich', ...e })),
    };
    this.messages.push(saved);
    // Without wait=true Discord queues the message and answers 204, saying nothing about it.
    return request.query.get('wait') === 'true' ? jsonAnswer(200, saved) : { status: 204 };
  }
}

const tooLong = (max: number) => ({ _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] });
const required = { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] };

/** Discord's nested `errors` for the limits it checks on a message, or null. */
function formProblem(body: { content?: unknown; embeds?: Embed[] }): Record<string, unknown> | null {
  if (typeof body.content === 'string' && body.content.length > LIMITS.content) return { content: tooLong(LIMITS.content) };
  const embeds = body.embeds ?? [];
  if (embeds.length > LIMITS.embeds) return { embeds: tooLong(LIMITS.embeds) };
  for (const [i, embed] of embeds.entries()) {
    if ((embed.title ?? '').length > LIMITS.title) return { embeds: { [i]: { title: tooLong(LIMITS.title) } } };
    if ((embed.description ?? '').length > LIMITS.description) return { embeds: { [i]: { description: tooLong(LIMITS.description) } } };
    const fields = embed.fields ?? [];
    if (fields.length > LIMITS.fields) return { embeds: { [i]: { fields: tooLong(LIMITS.fields) } } };
    for (const [j, field] of fields.entries()) {
      if (!field.name) return { embeds: { [i]: { fields: { [j]: { name: required } } } } };
      if (!field.value) return { embeds: { [i]: { fields: { [j]: { value: required } } } } };
      if (field.value.length > LIMITS.fieldValue) return { embeds: { [i]: { fields: { [j]: { value: tooLong(LIMITS.fieldValue) } } } } };
    }
    const size = [embed.title, embed.description, embed.footer?.text, ...fields.flatMap((f) => [f.name, f.value])].join('').length;
    if (size > LIMITS.total)
      return {
        embeds: { [i]: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Embed size exceeds maximum size of ${LIMITS.total}` }] } },
      };
  }
  return null;
}
