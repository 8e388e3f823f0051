import { pino } from 'pino';
import type { Logger } from 'pino';

// A deploy endpoint's id is its credential (the URL is the secret, as in OpsLevel), so it is
// masked wherever a URL is logged.
const ENDPOINT_IN_URL = /(\/integrations\/deploy\/)[^/?#]+/g;
// An external webhook's key may come as `?key=` (for senders that cannot set headers).
const KEY_IN_QUERY = /([?&]key=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(ENDPOINT_IN_URL, '$1[redacted]').replace(KEY_IN_QUERY, '$1[redacted]');
}

/** JSON logs on stdout; tokens and endpoint ids never appear in them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token', 'token'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
    },
  });
}
