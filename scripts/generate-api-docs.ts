// Writes docs/api.md from the OpenAPI document: npm run docs:api
import fs from 'node:fs';
import { renderApiDocs } from '../src/server/api-docs.js';
import { openApiDocument } from './openapi-document.js';

const file = new URL('../docs/api.md', import.meta.url);
fs.writeFileSync(file, renderApiDocs(await openApiDocument()));
console.log('wrote docs/api.md');
