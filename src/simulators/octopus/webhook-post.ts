import http from 'node:http';
import https from 'node:https';
import { errorMessage } from '../../core/error-message.js';

/** How one POST ended: an HTTP status, or the error that prevented one (timeout included). */
export type PostResult = { status: number; error: null } | { status: null; error: string };

/**
 * POSTs JSON to webhook receivers over the stand-in's own keep-alive agents, so that closing the
 * stand-in can destroy every socket it opened and abort whatever is still in flight.
 */
export class WebhookPoster {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  private readonly inFlight = new Set<http.ClientRequest>();

  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve) => {
      let settled = false;
      let request: http.ClientRequest | undefined;
      const timer = setTimeout(() => {
        done({ status: null, error: `timed out after ${timeoutMs} ms` });
        request?.destroy();
      }, timeoutMs);
      const done = (result: PostResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      try {
        const target = new URL(url);
        const secure = target.protocol === 'https:';
        request = (secure ? https : http).request(target, {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
        });
      } catch (err) {
        done({ status: null, error: errorMessage(err) });
        return;
      }
      const sent = request;
      this.inFlight.add(sent);
      sent.on('close', () => this.inFlight.delete(sent));
      sent.on('response', (response) => {
        // The answer's body is not used, but it must be read for the socket to be reused.
        response.resume();
        response.on('end', () => done({ status: response.statusCode ?? 0, error: null }));
        response.on('error', (err) => done({ status: null, error: err.message }));
      });
      sent.on('error', (err) => done({ status: null, error: err.message }));
      sent.end(body);
    });
  }

  /** Aborts every request in flight and closes every pooled socket. */
  destroy(): void {
    for (const request of this.inFlight) request.destroy(new Error('the Octopus simulator is closing'));
    this.inFlight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
