import type { ErrorCode } from '../core/errors.js';
import { ERROR_CODES, ERRORS } from '../core/errors.js';

const escape = (text: string) => text.replace(/\|/g, '\\|');

/** docs/errors.md: every code of the catalog with its HTTP status and meaning, grouped by area. */
export function renderErrorDocs(): string {
  const lines = [
    '<!-- Generated from src/core/errors.ts by `npm run docs:errors`: edit the catalog, not this file. -->',
    '',
    '# Errors',
    '',
    'Every error Shipline answers over HTTP carries a stable code from one catalog. Clients may match on',
    'the code; the message is for people and may change. The body is',
    '',
    '```json',
    '{ "error": { "code": "service.not_found", "message": "No service matches that id or alias", "status": 404 } }',
    '```',
    '',
    'with `details` added where there is more to say (the fields a `request.invalid` is about, for one).',
    "The deploy webhook (`POST /integrations/deploy/:endpointId`) answers in OpsLevel's format instead,",
    '`{ "errors": [{ "status", "title", "detail" }] }`, with the same messages. A `store.unavailable` answer',
    'carries a `Retry-After` header. The routes each code may come from are listed in [api.md](api.md).',
    '',
  ];
  const areas = new Map<string, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    const area = code.split('.')[0]!;
    areas.set(area, [...(areas.get(area) ?? []), code]);
  }
  for (const [area, codes] of areas) {
    lines.push(`## ${area}`, '', '| Code | HTTP status | Meaning |', '| --- | --- | --- |');
    for (const code of codes) lines.push(`| \`${code}\` | ${ERRORS[code].status} | ${escape(ERRORS[code].message)} |`);
    lines.push('');
  }
  return lines.join('\n');
}
