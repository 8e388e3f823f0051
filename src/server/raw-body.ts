import type { FastifyRequest } from 'fastify';
import type { App } from './routes/types.js';

/**
 * Inside one (encapsulated) plugin, hands every body to the routes as the exact bytes sent:
 * signatures are computed over them, so no parser may touch them first. Every other route keeps
 * answering 415 to anything but JSON.
 */
export function acceptRawBodies(app: App): void {
  app.removeContentTypeParser('application/json');
  const raw = (_request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, raw);
}
