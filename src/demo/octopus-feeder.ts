import type { OctopusSim } from '../simulators/octopus/index.js';

/**
 * Someone working in Octopus: every cycle, a new release of the next project, deployed to
 * Staging through the stand-in's REST API (the executions API, by names, as the official client
 * does). Shipline hears about it through its subscription; the promotion reaction does the rest.
 */

export const OCTOPUS_PROJECTS = ['Storefront', 'Payments API'] as const;

export interface OctopusTimings {
  queuedMs: number;
  executingMs: number;
}

/**
 * Scripts the stand-in's outcomes: the first Production deployment of Payments API fails (so the
 * Slack reaction has something to say), everything else succeeds, each after the given timings.
 */
export function scriptOutcomes(sim: OctopusSim, timings: OctopusTimings): void {
  sim.addOutcome({
    project: 'Payments API',
    environment: 'Production',
    state: 'Failed',
    times: 1,
    ...timings,
    errorMessage: 'Step "Run smoke tests" failed: GET /healthz answered 503 after the deploy',
  });
  sim.addOutcome({ state: 'Success', ...timings });
}

/** Each `tick` creates a release of the next project (Storefront, then Payments API…) and deploys it to Staging. */
export function octopusFeeder(sim: OctopusSim, print: (line: string) => void): { tick(): Promise<void> } {
  let n = 0;
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${sim.url}/api/Spaces-1${path}`, {
      method: 'POST',
      headers: { 'x-octopus-apikey': sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`Octopus stand-in ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    async tick() {
      const project = OCTOPUS_PROJECTS[n++ % OCTOPUS_PROJECTS.length]!;
      const release = await call<{ ReleaseVersion: string }>('/releases/create/v1', { ProjectName: project });
      await call('/deployments/create/untenanted/v1', {
        ProjectName: project,
        ReleaseVersion: release.ReleaseVersion,
        EnvironmentNames: ['Staging'],
      });
      print(`[octopus] Created ${project} ${release.ReleaseVersion} and deployed it to Staging`);
    },
  };
}
