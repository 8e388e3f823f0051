import { randomBytes } from 'node:crypto';
import type { ApiClient } from '../cli/client.js';
import { apiPath } from '../cli/client.js';
import type { Pipeline } from './setup.js';

/**
 * Fake CI pipelines posting custom deploys to their deploy endpoints, as a real pipeline's last
 * step would. Each takes a change to Staging, then the same commit to Production, then starts a
 * new change with the next service it deploys. Jenkins also deploys `recommendations`, which no
 * service claims, so a suggestion appears. Every few Production deploys a "smoke check" fails and
 * the pipeline marks that deploy failed.
 */

const SERVICES: Record<Pipeline, string[]> = {
  jenkins: ['recommendations', 'notifications'],
  'github-actions': ['storefront', 'search'],
  'gitlab-ci': ['payments', 'notifications', 'search'],
};

const PEOPLE = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Linus Torvalds', email: 'linus@example.com' },
  { name: 'Margaret Hamilton', email: 'margaret@example.com' },
];

const CHANGES = [
  'Add wishlist button',
  'Fix rounding of discounts',
  'Retry the card network on 503',
  'Cache search facets for 60 s',
  'Bump node to 20.19',
  'Speed up the checkout query',
  'Translate emails to Portuguese',
  'Remove the old feature flag',
];

interface Change {
  service: string;
  sha: string;
  message: string;
  author: { name: string; email: string };
  committedAt: string;
  /** Where it goes next. */
  next: 'Staging' | 'Production';
}

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length]!;

export interface PipelineFeeder {
  /** Posts the pipeline's next deploy. */
  tick(pipeline: Pipeline): Promise<void>;
}

/** Each `tick(pipeline)` posts that pipeline's next deploy and prints a line about it. */
export function pipelineFeeder(options: {
  api: ApiClient;
  endpoints: Record<Pipeline, string>;
  print: (line: string) => void;
  /** Every this many Production deploys (over all pipelines), one is marked failed. Default 8. */
  failEvery?: number;
}): PipelineFeeder {
  const changes = new Map<Pipeline, Change>();
  const counts = new Map<Pipeline, number>();
  let productionDeploys = 0;
  let suggested = false;

  const newChange = (pipeline: Pipeline): Change => {
    const n = counts.get(pipeline) ?? 0;
    counts.set(pipeline, n + 1);
    return {
      service: pick(SERVICES[pipeline], n),
      sha: randomBytes(20).toString('hex'),
      message: pick(CHANGES, Math.floor(Math.random() * CHANGES.length)),
      author: pick(PEOPLE, Math.floor(Math.random() * PEOPLE.length)),
      // Committed 10 minutes to 4 hours before its first deploy, so Insights has lead times to show.
      committedAt: new Date(Date.now() - (10 + Math.random() * 230) * 60_000).toISOString(),
      next: 'Staging',
    };
  };

  async function markFailed(change: Change): Promise<void> {
    const list = await options.api.get<{ items: Array<{ id: string }> }>(apiPath('deploys'), {
      service: change.service,
      environment: 'Production',
      limit: 1,
    });
    const deploy = list.items[0];
    if (!deploy) return;
    await options.api.post(apiPath('deploys', deploy.id, 'failure'), {
      reason: `smoke check failed after deploying ${change.sha.slice(0, 7)}: error rate above 2%`,
    });
  }

  return {
    async tick(pipeline) {
      const change = changes.get(pipeline) ?? newChange(pipeline);
      const environment = change.next;
      const response = await fetch(options.endpoints[pipeline], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service: change.service,
          description: `Deployed by ${pipeline}: ${change.message}`,
          deployed_at: new Date().toISOString(),
          environment,
          deployer: { email: `${pipeline}@ci.example.com`, name: pipeline },
          commit: {
            sha: change.sha,
            branch: 'main',
            message: change.message,
            date: change.committedAt,
            author_name: change.author.name,
            author_email: change.author.email,
          },
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json().catch(() => ({}))) as { result?: string };
      if (!response.ok) throw new Error(`${pipeline}: the deploy endpoint answered HTTP ${response.status}`);
      let note = '';
      if (answer.result === 'no_service_found' && !suggested) {
        suggested = true;
        note = ` (no service "${change.service}" yet: it is a suggestion now, see \`shipline suggestions list\`)`;
      }
      options.print(`[ci] ${pipeline} deployed ${change.service} ${change.sha.slice(0, 7)} "${change.message}" to ${environment}${note}`);

      if (environment === 'Staging') {
        changes.set(pipeline, { ...change, next: 'Production' });
        return;
      }
      changes.delete(pipeline);
      productionDeploys += 1;
      if (productionDeploys % (options.failEvery ?? 8) === 0) {
        await markFailed(change);
        options.print(`[ci] ${pipeline}: smoke check failed for ${change.service} in Production, deploy marked failed`);
      }
    },
  };
}
