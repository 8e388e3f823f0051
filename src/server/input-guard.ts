import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rawBodyProblem, valueProblem } from '../core/json-limits.js';
import type { InputProblem } from '../core/json-limits.js';
import { ShiplineError } from '../core/errors.js';

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

const refusal = (problem: InputProblem | null) => (problem ? new ShiplineError(problem.code, problem.message) : undefined);

function bodyProblem(request: FastifyRequest): InputProblem | null {
  const body = request.body;
  if (body === undefined || body === null) return null;
  if (Buffer.isBuffer(body)) return rawBodyProblem(body, JSON_TYPE.test(request.headers['content-type'] ?? ''));
  return valueProblem(body, 'the body');
}

/**
 * Every route, before its schema and its handler: refuses what no store may hold or no answer may
 * echo (src/core/json-limits.ts), in the body (parsed or raw), the query string and the path, with
 * 400 and a stable code, before anything is read or written.
 */
export function registerInputGuards(app: FastifyInstance): void {
  // Callback hooks rather than async ones: no promise per request on the deploy webhook's hot path.
  app.addHook('preValidation', (request, _reply, done) => {
    done(refusal(bodyProblem(request)));
  });
  // The path and the query string after validation: coercing a query string to a number makes
  // `Infinity` and `1e309` into Infinity, which the schema's minimum and maximum then let through.
  app.addHook('preHandler', (request, _reply, done) => {
    done(refusal(valueProblem(request.query, 'the query string') ?? valueProblem(request.params, 'the path')));
  });
}
