import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERRORS } from '../src/core/errors.js';
import { renderApiDocs } from '../src/server/api-docs.js';
import type { OpenApiDocument } from '../src/server/api-docs.js';
import { renderErrorDocs } from '../src/server/error-docs.js';
import { openApiDocument } from '../scripts/openapi-document.js';

const read = (name: string) => fs.readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

describe('the generated reference docs', () => {
  it('docs/errors.md is what `npm run docs:errors` writes', () => {
    expect(read('errors.md'), 'run npm run docs:errors and commit docs/errors.md').toBe(renderErrorDocs());
  });

  it('docs/errors.md documents every code of the catalog with its status', () => {
    const errors = read('errors.md');
    const undocumented = ERROR_CODES.filter((code) => !errors.includes(`| \`${code}\` | ${ERRORS[code].status} |`));
    expect(undocumented).toEqual([]);
  });

  describe('docs/api.md', () => {
    let document: OpenApiDocument;
    it('is what `npm run docs:api` writes', async () => {
      document = await openApiDocument();
      expect(read('api.md'), 'run npm run docs:api and commit docs/api.md').toBe(renderApiDocs(document));
    }, 60_000);

    it('has a section for every operation, with the role an /api/v1 one needs', () => {
      const api = read('api.md');
      for (const [path, methods] of Object.entries(document.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const heading = `### ${method.toUpperCase()} ${path}\n`;
          expect(api, heading).toContain(heading);
          if (path.startsWith('/api/v1/')) expect(op['x-min-role'], heading).toMatch(/^(read|write|admin)$/);
        }
      }
      expect(api).toContain('### POST /integrations/deploy/{endpointId}\n');
    });
  });
});
