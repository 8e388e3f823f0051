import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { createRequire } from 'node:module';
import type { Agent } from 'undici';
import type * as Undici from 'undici';
import type { HttpClient, HttpRequest, HttpResponse } from '../../engine/action.js';
import { NonRetriableError } from '../../engine/action.js';
import { SsrfRefusedError, createAddressPolicy } from './ssrf.js';
import type { AddressPolicy } from './ssrf.js';

/** Default for `HttpRequest.timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default for `HttpRequest.maxResponseBytes`. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

export interface HttpClientOptions {
  /** SHIPLINE_ALLOW_HOSTS: names, IPs and CIDRs that may be reached although not public. */
  allowHosts: readonly string[];
  /** Pooled connections per origin; default unlimited (undici's default). */
  connections?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that refuses blocked addresses after resolution, at connect time,
 * so a name that resolves to a public address when checked and to 127.0.0.1 when used (DNS
 * rebinding) cannot get through: the addresses checked are the ones connected to.
 */
function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { family: options.family ?? 0, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      let refusal: SsrfRefusedError | undefined;
      const allowed = addresses.filter((entry) => {
        try {
          policy.check(hostname, entry.address);
          return true;
        } catch (error) {
          refusal ??= error as SsrfRefusedError;
          return false;
        }
      });
      if (allowed.length === 0) return callback(refusal ?? new Error(`${hostname} resolved to no address`), []);
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

function findInChain<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof type) return e;
  return undefined;
}

/** The URL as it may be shown in logs and errors: no credentials, no query string. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function joinHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** How long closing waits for requests under way before it cuts them off. */
const CLOSE_GRACE_MS = 5_000;

/** The shared client behind `ctx.http`: pooled keep-alive connections, SSRF-guarded, timed. */
export function createHttpClient(options: HttpClientOptions): HttpClient & { close(): Promise<void> } {
  const policy = createAddressPolicy(options.allowHosts);
  // A keep-alive agent rather than global fetch: measured 4x faster for repeated deliveries.
  // Made (and undici loaded) for the first request: a server whose reactions never call out
  // does without both.
  let agent: Agent | undefined;
  const pooled = () =>
    (agent ??= new (createRequire(import.meta.url)('undici') as typeof Undici).Agent({
      connections: options.connections ?? null,
      connect: { lookup: guardedLookup(policy) },
    }));

  async function send(req: HttpRequest): Promise<HttpResponse> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new NonRetriableError(`Invalid URL: ${req.url.split('?')[0]}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new NonRetriableError(`Only http and https URLs can be requested, not ${url.protocol}`);
    }
    const shown = `${req.method} ${displayUrl(url)}`;
    // Node connects to IP literals without calling lookup, so they are checked here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) policy.check(host, host);

    const headers: Record<string, string> = { ...req.headers };
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      const hasAuth = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
      if (!hasAuth) headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }

    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    // One controller that the timer and the caller's signal both abort, released when the request
    // ends: AbortSignal.timeout and AbortSignal.any cost a step about 10 µs, and their weak
    // references the garbage collector more (decision 0060).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`${shown} timed out`, 'TimeoutError'));
    }, timeoutMs);
    timer.unref();
    const callerAborted = () => controller.abort(req.signal?.reason);
    if (req.signal?.aborted) callerAborted();
    else req.signal?.addEventListener('abort', callerAborted, { once: true });
    const signal = controller.signal;

    try {
      const response = await pooled().request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
        body: req.body,
        signal,
      });
      const decoder = new StringDecoder('utf8');
      let body = '';
      let received = 0;
      let truncated = false;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        const room = maxBytes - received;
        if (chunk.length > room) {
          body += decoder.write(chunk.subarray(0, room));
          truncated = true;
          break;
        }
        received += chunk.length;
        body += decoder.write(chunk);
      }
      // Leaving the loop early destroys the stream; the connection is dropped rather than reused.
      if (!truncated) body += decoder.end();
      return { status: response.statusCode, headers: joinHeaders(response.headers), body, truncated };
    } catch (error) {
      const refused = findInChain(error, SsrfRefusedError);
      if (refused) throw refused;
      if (timedOut) throw new Error(`${shown} timed out after ${timeoutMs} ms`, { cause: error });
      if (req.signal?.aborted) throw new Error(`${shown} was aborted`, { cause: error });
      const reason = error instanceof Error ? describe(error) : String(error);
      throw new Error(`${shown} failed: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', callerAborted);
    }
  }

  // undici's destroy() after close() leaves requests under way hanging: requests are counted here instead.
  const inFlight = new Set<Promise<unknown>>();
  function request(req: HttpRequest): Promise<HttpResponse> {
    const sent = send(req);
    const settled = sent.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return sent;
  }

  return {
    request,
    // Requests under way may finish; one a provider never answers must not hold a shutdown.
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const finished = Promise.all(inFlight).then(() => true);
      const inTime = await Promise.race([
        finished,
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS))),
      ]);
      clearTimeout(timer);
      if (agent) await (inTime ? agent.close() : agent.destroy());
    },
  };
}

// undici wraps socket errors; the code (ECONNREFUSED, ENOTFOUND...) is what a person needs.
function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
