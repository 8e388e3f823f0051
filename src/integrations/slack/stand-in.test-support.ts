import { jsonAnswer, recorded, StandIn, textAnswer } from '../stand-in-base.test-support.js';
import type { BodyAnswer, RecordedRequest } from '../stand-in-base.test-support.js';

/**
 * A local stand-in for Slack's Web API (`/api/<method>`) and incoming webhooks
 * (`/services/T…/B…/<secret>`), answering as https://api.slack.com/web and https://api.slack.com/messaging/webhooks document:
 * HTTP 200 with `{ok:false,error}` for Web API errors, plain-text codes with a status for
 * webhooks. Every request is recorded with its raw body. A request Slack would refuse gets
 * Slack's answer; `failNext` queues answers (429, 5xx) the next requests get instead.
 */

export type { RecordedRequest };

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  /** The token that posted it: bots can edit only their own messages. */
  by: string;
}

export type SlackAnswer = BodyAnswer;

export interface SlackStandInOptions {
  /** Valid bot tokens and the identity auth.test reports; default one, `xoxb-valid`. */
  tokens?: Record<string, { user: string; user_id: string; bot_id: string }>;
  /** Channels by name (without #) → ID; default `deploys` → C0DEPLOYS. */
  channels?: Record<string, string>;
  /** Channel IDs the app is not a member of. */
  notJoined?: string[];
  archived?: string[];
}

export const WEBHOOK_PATH = '/services/T0001/B0001/standinsecret';

const TEAM = { url: 'https://acme.slack.com/', team: 'Acme', team_id: 'T0001' };

/** Slack's recorded answers (fixtures/); the stand-in fills in its own team, identities and messages. */
const AUTH_TEST = recorded(import.meta.url, 'auth-test.ok.json');
const POSTED = recorded<{ message: Record<string, unknown> }>(import.meta.url, 'chat-post-message.ok.json');

export class SlackStandIn extends StandIn {
  readonly messages: StoredMessage[] = [];
  /** Bodies the incoming webhook accepted. */
  readonly webhookMessages: Array<Record<string, unknown>> = [];
  private readonly tokens: NonNullable<SlackStandInOptions['tokens']>;
  private readonly channels: Record<string, string>;
  private readonly notJoined: Set<string>;
  private readonly archived: Set<string>;
  private counter = 0;

  constructor(options: SlackStandInOptions = {}) {
    super();
    this.tokens = options.tokens ?? { 'xoxb-valid': { user: 'shipline', user_id: 'U0BOT', bot_id: 'B0BOT' } };
    this.channels = options.channels ?? { deploys: 'C0DEPLOYS' };
    this.notJoined = new Set(options.notJoined ?? []);
    this.archived = new Set(options.archived ?? []);
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  get webhookUrl(): string {
    return `${this.url}${WEBHOOK_PATH}`;
  }

  /** Slack's rate limit answer for the Web API (`{ok:false,error:"ratelimited"}`) or a webhook (text). */
  rateLimitNext(seconds: number, kind: 'api' | 'webhook' = 'api'): void {
    this.failNext({
      status: 429,
      headers: { 'retry-after': String(seconds), 'content-type': kind === 'api' ? 'application/json; charset=utf-8' : 'text/plain' },
      body: kind === 'api' ? '{"ok":false,"error":"ratelimited"}' : 'rate_limited',
    });
  }

  /** The requests to one Web API method (`chat.postMessage`). */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === `/api/${method}`);
  }

  clear(): void {
    this.http.clear();
    this.messages.length = 0;
    this.webhookMessages.length = 0;
  }

  protected answer(request: RecordedRequest): SlackAnswer {
    if (request.path.startsWith('/api/')) return this.webApi(request);
    if (request.path.startsWith('/services/')) return this.webhook(request);
    return textAnswer(404, 'Not Found');
  }

  // ---- Web API ----

  private webApi(request: RecordedRequest): SlackAnswer {
    const method = request.path.slice('/api/'.length).split('?')[0]!;
    const auth = request.headers.authorization;
    const contentType = request.headers['content-type'] ?? '';
    const warnings: string[] = [];
    let args: Record<string, unknown> = {};
    if (request.raw.length > 0) {
      if (!contentType.toLowerCase().startsWith('application/json')) return ok200({ ok: false, error: 'invalid_arguments' });
      if (request.json === undefined) return ok200({ ok: false, error: 'invalid_json' });
      if (request.json === null || typeof request.json !== 'object' || Array.isArray(request.json))
        return ok200({ ok: false, error: 'json_not_object' });
      args = request.json as Record<string, unknown>;
      if (!/charset=utf-8/i.test(contentType)) warnings.push('missing_charset');
    }
    // A JSON body cannot carry the token: only the header counts.
    if (!auth) return ok200({ ok: false, error: 'not_authed' });
    const token = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!token || !this.tokens[token]) return ok200({ ok: false, error: 'invalid_auth' });
    if (request.method !== 'POST') return ok200({ ok: false, error: 'invalid_arguments' });

    const withWarnings = (body: Record<string, unknown>) => ok200(warnings.length > 0 ? { ...body, warning: warnings.join(',') } : body);
    switch (method) {
      case 'auth.test': {
        const who = this.tokens[token]!;
        return withWarnings({ ...AUTH_TEST, ...TEAM, ...who });
      }
      case 'chat.postMessage':
        return withWarnings(this.postMessage(args, token, warnings));
      case 'chat.update':
        return withWarnings(this.update(args, token, warnings));
      default:
        return ok200({ ok: false, error: 'unknown_method' });
    }
  }

  private channelId(value: unknown, idOnly: boolean): string | undefined {
    if (typeof value !== 'string' || value === '') return undefined;
    const ids = new Set(Object.values(this.channels));
    if (ids.has(value)) return value;
    if (idOnly) return undefined;
    return this.channels[value.replace(/^#/, '')];
  }

  private contentProblems(args: Record<string, unknown>, warnings: string[]): Record<string, unknown> | null {
    if (args.text !== undefined && typeof args.text !== 'string') return { ok: false, error: 'invalid_arguments' };
    if (args.blocks !== undefined) {
      const errors = blockErrors(args.blocks, '/blocks');
      if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors };
    }
    if (args.attachments !== undefined) {
      if (!Array.isArray(args.attachments)) return { ok: false, error: 'invalid_attachments' };
      for (const [i, a] of args.attachments.entries()) {
        if (a === null || typeof a !== 'object') return { ok: false, error: 'invalid_attachments' };
        const blocks = (a as Record<string, unknown>).blocks;
        if (blocks !== undefined) {
          const errors = blockErrors(blocks, `/attachments/${i}/blocks`);
          if (errors.length > 0) return { ok: false, error: 'invalid_blocks', errors };
        }
      }
    }
    if (typeof args.text === 'string' && args.text.length > 40_000) warnings.push('message_truncated');
    return null;
  }

  private postMessage(args: Record<string, unknown>, token: string, warnings: string[]): Record<string, unknown> {
    const channel = this.channelId(args.channel, false);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (this.archived.has(channel)) return { ok: false, error: 'is_archived' };
    if (this.notJoined.has(channel)) return { ok: false, error: 'not_in_channel' };
    const hasText = typeof args.text === 'string' && args.text !== '';
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
    if (!hasText && !hasBlocks && !hasAttachments) return { ok: false, error: 'no_text' };
    const problem = this.contentProblems(args, warnings);
    if (problem) return problem;
    if (args.thread_ts !== undefined && !this.messages.some((m) => m.channel === channel && m.ts === args.thread_ts)) {
      return { ok: false, error: 'thread_not_found' };
    }
    this.counter += 1;
    const ts = `${1_700_000_000 + this.counter}.${String(this.counter).padStart(6, '0')}`;
    const stored: StoredMessage = { channel, ts, by: token };
    for (const key of ['text', 'blocks', 'attachments', 'thread_ts'] as const)
      if (args[key] !== undefined) (stored as unknown as Record<string, unknown>)[key] = args[key];
    this.messages.push(stored);
    return { ...POSTED, channel, ts, message: { ...POSTED.message, bot_id: this.tokens[token]!.bot_id, text: stored.text ?? '', ts } };
  }

  private update(args: Record<string, unknown>, token: string, warnings: string[]): Record<string, unknown> {
    // chat.update wants the channel ID, as chat.postMessage returned it.
    const channel = this.channelId(args.channel, true);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (typeof args.ts !== 'string') return { ok: false, error: 'message_not_found' };
    const message = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    if (message.by !== token) return { ok: false, error: 'cant_update_message' };
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) return { ok: false, error: 'no_text' };
    const problem = this.contentProblems(args, warnings);
    if (problem) return problem;
    // Omitted blocks/attachments stay; empty lists remove them.
    if (typeof args.text === 'string') message.text = args.text;
    if (Array.isArray(args.blocks)) message.blocks = args.blocks;
    if (Array.isArray(args.attachments)) message.attachments = args.attachments;
    return {
      ok: true,
      channel,
      ts: message.ts,
      text: message.text ?? '',
      message: { type: 'message', text: message.text ?? '', ts: message.ts },
    };
  }

  // ---- incoming webhooks ----

  private webhook(request: RecordedRequest): SlackAnswer {
    const text = (status: number, body: string): SlackAnswer => textAnswer(status, body);
    if (request.path !== WEBHOOK_PATH) return text(404, 'no_service');
    if (request.method !== 'POST') return text(405, 'invalid_method');
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('application/json') || request.json === undefined) return text(400, 'invalid_payload');
    const body = request.json;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return text(400, 'invalid_payload');
    const message = body as Record<string, unknown>;
    const hasText = typeof message.text === 'string' && message.text !== '';
    const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
    const hasAttachments = Array.isArray(message.attachments) && message.attachments.length > 0;
    if (!hasText && !hasBlocks && !hasAttachments) return text(400, 'no_text');
    if (message.blocks !== undefined && blockErrors(message.blocks, '/blocks').length > 0) return text(400, 'invalid_blocks');
    this.webhookMessages.push(message);
    return text(200, 'ok');
  }
}

function ok200(body: Record<string, unknown>): SlackAnswer {
  return jsonAnswer(200, body, {}, 'application/json; charset=utf-8');
}

const BLOCK_TYPES = new Set([
  'section',
  'context',
  'divider',
  'header',
  'actions',
  'image',
  'rich_text',
  'input',
  'file',
  'video',
  'markdown',
]);

/** Block Kit checks Slack applies (its documented limits: https://api.slack.com/reference/block-kit/blocks), as Slack words them with a JSON pointer. */
function blockErrors(blocks: unknown, at: string): string[] {
  if (!Array.isArray(blocks)) return [`must be an array [json-pointer:${at}]`];
  const errors: string[] = [];
  if (blocks.length > 50) errors.push(`no more than 50 items allowed [json-pointer:${at}]`);
  blocks.forEach((block, i) => {
    const here = `${at}/${i}`;
    if (block === null || typeof block !== 'object') return void errors.push(`must be an object [json-pointer:${here}]`);
    const b = block as Record<string, unknown>;
    if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) return void errors.push(`unsupported type [json-pointer:${here}/type]`);
    if (b.type === 'section') {
      const text = b.text as { type?: unknown; text?: unknown } | undefined;
      if (text === undefined && b.fields === undefined) errors.push(`must provide text or fields [json-pointer:${here}]`);
      if (text !== undefined) {
        if ((text.type !== 'mrkdwn' && text.type !== 'plain_text') || typeof text.text !== 'string')
          errors.push(`must be a text object [json-pointer:${here}/text]`);
        else if (text.text.length > 3000) errors.push(`must be less than 3001 characters [json-pointer:${here}/text/text]`);
      }
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields) || b.fields.length > 10)
          errors.push(`must be an array of no more than 10 items [json-pointer:${here}/fields]`);
        else
          b.fields.forEach((f: { type?: unknown; text?: unknown }, j) => {
            if ((f?.type !== 'mrkdwn' && f?.type !== 'plain_text') || typeof f.text !== 'string')
              errors.push(`must be a text object [json-pointer:${here}/fields/${j}]`);
            else if (f.text.length > 2000) errors.push(`must be less than 2001 characters [json-pointer:${here}/fields/${j}/text]`);
          });
      }
    }
    if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10)
        errors.push(`must be an array of 1 to 10 items [json-pointer:${here}/elements]`);
    }
  });
  return errors;
}
