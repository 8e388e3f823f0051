import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import type { Role } from '../../src/core/vocabulary.js';
import type { DialectName } from './databases.js';
import { freshDatabase } from './databases.js';

export const PUBLIC_URL = 'http://shipline.test';

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  /** Tokens of each role, created in the store. */
  tokens: Record<Role, string>;
  /** Injects a request with the admin token unless `headers.authorization` is given. */
  api(opts: InjectOptions & { role?: Role }): Promise<LightMyRequestResponse>;
  /** Creates a deploy endpoint and returns the path to POST deploys to. */
  endpointPath(): Promise<string>;
  close(): Promise<void>;
}

/** The real app over a fresh, migrated database of the dialect. */
export async function startTestApp(dialect: DialectName): Promise<TestApp> {
  const database = await freshDatabase(dialect);
  const store = openStore(database.options);
  await store.migrate();
  const app = await buildApp({ store, config: { publicUrl: PUBLIC_URL, bodyLimit: 1024 * 1024 } });
  const tokens = {} as Record<Role, string>;
  for (const role of ['read', 'write', 'admin'] as const) tokens[role] = (await store.tokens.create(`test ${role}`, role)).token;
  const api: TestApp['api'] = ({ role = 'admin', ...opts }) =>
    app.inject({ ...opts, headers: { authorization: `Bearer ${tokens[role]}`, ...opts.headers } });
  return {
    app,
    store,
    tokens,
    api,
    async endpointPath() {
      const res = await api({ method: 'POST', url: '/api/v1/deploy-endpoints', payload: { name: 'ci' } });
      return new URL(res.json<{ url: string }>().url).pathname;
    },
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

/** The example payload of OpsLevel's custom deploy documentation. */
export function seedPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dedup_id: '9ae54794-dfc5-4ac8-b1b5-78789f20f3f8',
    service: 'shopping_cart',
    deployer: { id: '1a9f841f-9a3d-4423-a05a-7e9c31a02b16', email: 'mscott@example.com', name: 'Michael Scott' },
    deployed_at: '2019-02-01 13:28:33',
    environment: 'Production',
    description: 'Deployed by CI Pipeline: Deploy #234',
    deploy_url: '',
    deploy_number: '234',
    commit: {
      sha: '38d02f1d7aab64678a7ad3eeb2ad2887ce7253f5',
      message: "Merge branch 'fix-tax-rate' into 'master'",
      branch: 'master',
      date: '2019-02-01 09:23:43',
      committer_name: 'Michael Scott',
      committer_email: 'mscott@example.com',
      author_name: 'Michael Scott',
      author_email: 'mscott@example.com',
      authoring_date: '2019-02-01 09:23:43',
    },
    ...overrides,
  };
}
