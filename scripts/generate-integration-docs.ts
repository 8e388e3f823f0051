// Writes docs/integrations/*.md from the integration manifests: npm run docs:integrations
import fs from 'node:fs';
import { integrationDocs } from '../src/integrations/docs.js';
import { integrationManifests } from '../src/integrations/manifests.js';

const dir = new URL('../docs/integrations/', import.meta.url);
fs.mkdirSync(dir, { recursive: true });
const files = integrationDocs(integrationManifests());
for (const existing of fs.readdirSync(dir)) if (!files.has(existing)) fs.rmSync(new URL(existing, dir));
for (const [name, content] of files) fs.writeFileSync(new URL(name, dir), content);
console.log(`wrote ${files.size} files to docs/integrations/`);
