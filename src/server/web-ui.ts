import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { innerAppOnFirstUse } from './inner-app.js';

/** Where `npm run build` puts the web UI: dist/web, from src/server or dist/server alike. */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

// Paths that belong to the API and receivers: an unknown one is a JSON 404, never the UI.
const NOT_UI = ['/api/', '/auth/', '/hooks/', '/integrations/deploy/', '/healthz', '/readyz', '/metrics'];

// The UI's scripts and styles are its own files; inline style attributes are allowed because the
// graph views position nodes with them. Nothing may frame the UI (clickjacking).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the built web UI at `/`: hashed assets cached for a year, and index.html (never cached,
 * so a new build is picked up at once) for every other browser path, where the UI's router takes over.
 *
 * The files are served by @fastify/static in an app of their own, built at the first request for
 * a UI path (inner-app.ts, decision 0047): with a route per file (it lists the folder when it is
 * registered, as before), they were half the server's routes, and the plugin and its folder
 * listing were loaded by every start, UI or not.
 */
export async function registerWebUi(app: FastifyInstance, webRoot = DEFAULT_WEB_ROOT): Promise<void> {
  const indexPath = join(webRoot, 'index.html');
  const index = existsSync(indexPath) ? readFileSync(indexPath) : null;

  const files = innerAppOnFirstUse(app, async (inner) => {
    const { default: fastifyStatic } = await import('@fastify/static');
    await inner.register(fastifyStatic, {
      root: webRoot,
      prefix: '/',
      wildcard: false,
      index: false,
      serveDotFiles: false,
      setHeaders(res, path) {
        const hashed = path.includes(`${join(webRoot, 'assets')}`);
        res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        res.header('x-content-type-options', 'nosniff');
      },
    });
  });

  const page = { schema: { hide: true } };
  const serveIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (NOT_UI.some((prefix) => path.startsWith(prefix))) return reply.callNotFound();
    if (!index) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The Shipline web UI is not built. Run `npm run build`, then restart; the API is served meanwhile.');
    }
    if (await files.answer(request, reply)) return reply;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(index);
  };
  app.get('/', page, serveIndex);
  app.get('/*', page, serveIndex);
}
