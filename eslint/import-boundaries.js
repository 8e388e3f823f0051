// The layers of docs/architecture.md, enforced: each folder under src/ may import only the layers
// listed for it. Specifiers are resolved against the importing file, so `../store/x.js` and
// `./engine/x.js` are told apart by where they land, not by how they are spelled.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** The layer a repository path belongs to: the longest matching prefix wins. */
const LAYERS = [
  ['src/core/', 'core'],
  ['src/store/', 'store'],
  ['src/engine/action.ts', 'action-contract'],
  ['src/engine/define-action.ts', 'action-contract'],
  ['src/engine/', 'engine'],
  ['src/actions/http/', 'http-client'],
  ['src/actions/', 'actions'],
  ['src/integrations/', 'integrations'],
  ['src/simulators/', 'simulators'],
  ['src/connections/', 'connections'],
  ['src/server/', 'server'],
  ['src/cli/', 'cli'],
  ['src/config.ts', 'config'],
  ['src/demo/', 'wiring'],
  ['src/', 'wiring'],
];

/** What each layer may import (besides packages and node: built-ins). */
export const ALLOWED = {
  core: ['core'],
  store: ['core', 'store'],
  'action-contract': ['core', 'action-contract'],
  engine: ['core', 'store', 'action-contract', 'engine'],
  'http-client': ['core', 'action-contract', 'http-client'],
  actions: ['core', 'action-contract', 'http-client', 'actions'],
  integrations: ['core', 'action-contract', 'http-client', 'integrations'],
  simulators: ['core', 'simulators'],
  config: ['core', 'config'],
  // The connection host: the store-backed side of the integrations' contract.
  connections: ['core', 'store', 'action-contract', 'http-client', 'integrations', 'connections'],
  server: ['core', 'config', 'store', 'action-contract', 'engine', 'http-client', 'actions', 'integrations', 'connections', 'server'],
  // The CLI speaks to the server over HTTP: it may read the server's schemas as types only, and
  // the integrations' declarations (ready-made reactions, pickers) as data; never the store.
  cli: ['core', 'config', 'cli', 'action-contract', 'http-client', 'integrations', 'simulators', 'wiring', 'server:type'],
  wiring: null,
};

function layerOf(file) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (!rel.startsWith('src/')) return null;
  let best = null;
  for (const [prefix, layer] of LAYERS) {
    if ((rel === prefix || rel.startsWith(prefix)) && (!best || prefix.length > best[0].length)) best = [prefix, layer];
  }
  return best ? best[1] : null;
}

/** Tests and their helpers may reach into any layer. */
const isTestCode = (file) => /\.test(-support)?\.tsx?$/.test(file);

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layers of docs/architecture.md' },
    schema: [],
    messages: {
      crossed: "{{from}} may not import {{to}} ('{{spec}}'): see the layers in docs/architecture.md",
    },
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from || isTestCode(file) || ALLOWED[from] === null) return {};
    const allowed = ALLOWED[from];
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      if (!to || allowed.includes(to) || (typeOnly && allowed.includes(`${to}:type`))) return;
      context.report({ node, messageId: 'crossed', data: { from, to, spec } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value, false),
    };
  },
};

export default { rules: { 'import-boundaries': rule } };
