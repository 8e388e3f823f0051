// Writes docs/errors.md from the error catalog (src/core/errors.ts): npm run docs:errors
import fs from 'node:fs';
import { renderErrorDocs } from '../src/server/error-docs.js';

const file = new URL('../docs/errors.md', import.meta.url);
fs.writeFileSync(file, renderErrorDocs());
console.log('wrote docs/errors.md');
