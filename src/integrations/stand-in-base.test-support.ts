import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP scaffolding every provider stand-in shares: a node:http server on 127.0.0.1 (a free
 * port), each request read whole and recorded with its raw body and parsed JSON, canned answers
 * (`failNext`) that take the place of the normal answer, and a `close()` that does not wait for
 * keep-alive connections. A stand-in supplies only what its provider does: how it records a
 * request (the shape its tests read) and how it answers one.
 */

/** One request as it arrived. */
export interface StandInRequest {
  method: string;
  /** Path and query string, exactly as sent. */
  target: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body's bytes exactly as received. */
  raw: Buffer;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: unknown;
  /** False when the body is not empty yet not JSON either. */
  parses: boolean;
}

/** What the stand-in sends back; no body sends an empty one. */
export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** An answer with its body spelled out (the stand-ins' own answer types). */
export interface BodyAnswer extends StandInAnswer {
  body: string;
}

/** The record most stand-ins keep: `path` is the path and query string as sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** The parsed JSON body, or undefined. */
  json: unknown;
}

export function recordAsSent(request: StandInRequest): RecordedRequest {
  return { method: request.method, path: request.target, headers: request.headers, raw: request.raw, json: request.json };
}

/** The record of the function-shaped stand-ins (PagerDuty, GitHub): the same, with the path and query string as `url`. */
export interface UrlRecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body's bytes exactly as received. */
  raw: Buffer;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

export function recordWithUrl(request: StandInRequest): UrlRecordedRequest {
  return { method: request.method, url: request.target, headers: request.headers, raw: request.raw, json: request.json };
}

export interface StandInOptions<R> {
  /** The record kept in `requests` (each stand-in keeps the shape its tests read). */
  record: (request: StandInRequest) => R;
  /** The normal answer, when no canned one is queued. */
  answer: (recorded: R, request: StandInRequest) => StandInAnswer;
  /** The path a canned answer queued with `failNextAt` is matched against; default the path without the query. */
  cannedKey?: (request: StandInRequest) => string;
}

/**
 * A response recorded from the provider, read from the `fixtures/` folder beside the stand-in
 * (`standIn` is the stand-in module's `import.meta.url`). Stand-ins answer with these, changing
 * only what each request decides (ids, echoed fields), so their answers keep the provider's shape.
 */
export function recorded<T = Record<string, unknown>>(standIn: string, name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`./fixtures/${name}`, standIn), 'utf8')) as T;
}

/** A JSON answer; `contentType` defaults to `application/json`. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): BodyAnswer {
  return { status, headers: { 'content-type': contentType, ...headers }, body: JSON.stringify(body) };
}

/** A plain-text answer; `contentType` defaults to `text/plain`. */
export function textAnswer(status: number, body: string, contentType = 'text/plain'): BodyAnswer {
  return { status, headers: { 'content-type': contentType }, body };
}

function parseBody(raw: Buffer): { json: unknown; parses: boolean } {
  if (raw.length === 0) return { json: undefined, parses: true };
  try {
    return { json: JSON.parse(raw.toString('utf8')) as unknown, parses: true };
  } catch {
    return { json: undefined, parses: false };
  }
}

export class StandInServer<R> {
  /** `http://127.0.0.1:<port>` once `listen()` resolved. */
  url = '';
  readonly requests: R[] = [];
  private readonly server: http.Server;
  /** Canned answers for whichever request comes next. */
  private readonly queue: StandInAnswer[] = [];
  /** Canned answers for the next requests to one path. */
  private readonly byPath = new Map<string, StandInAnswer[]>();

  constructor(options: StandInOptions<R>) {
    const cannedKey = options.cannedKey ?? ((request: StandInRequest) => request.path);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const target = req.url ?? '';
        const at = target.indexOf('?');
        const path = at < 0 ? target : target.slice(0, at);
        const query = new URLSearchParams(at < 0 ? '' : target.slice(at + 1));
        const request: StandInRequest = { method: req.method ?? '', target, path, query, headers: req.headers, raw, ...parseBody(raw) };
        const recorded = options.record(request);
        this.requests.push(recorded);
        const answer = this.queue.shift() ?? this.byPath.get(cannedKey(request))?.shift() ?? options.answer(recorded, request);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The next request, whatever its path, gets this answer instead of the normal one. */
  failNext(answer: StandInAnswer): void {
    this.queue.push(answer);
  }

  /** The next request to `path` gets this answer instead of the normal one. */
  failNextAt(path: string, answer: StandInAnswer): void {
    this.byPath.set(path, [...(this.byPath.get(path) ?? []), answer]);
  }

  /** Forgets the recorded requests and the queued answers. */
  clear(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.byPath.clear();
  }
}

/**
 * The base of the class-shaped stand-ins: `url`, `requests`, `start()`, `close()` and
 * `failNext(answer)` (for whichever request comes next); a subclass says how it answers.
 */
export abstract class StandIn<R = RecordedRequest> {
  url = '';
  readonly requests: R[];
  protected readonly http: StandInServer<R>;

  /** `record` defaults to `recordAsSent` (for R = RecordedRequest). */
  constructor(record?: (request: StandInRequest) => R) {
    const keep = record ?? (recordAsSent as unknown as (request: StandInRequest) => R);
    this.http = new StandInServer<R>({ record: keep, answer: (recorded, request) => this.answer(recorded, request) });
    this.requests = this.http.requests;
  }

  /** The provider's answer to a request no canned answer was queued for. */
  protected abstract answer(recorded: R, request: StandInRequest): StandInAnswer;

  async start(): Promise<this> {
    this.url = await this.http.listen();
    return this;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The next request gets this answer instead of the normal one. */
  failNext(answer: StandInAnswer): void {
    this.http.failNext(answer);
  }
}
