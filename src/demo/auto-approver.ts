import type { ApiClient } from '../cli/client.js';
import { apiPath } from '../cli/client.js';

/**
 * Plays the release manager: each promotion run waiting at its approval step is announced with
 * the command that would approve it, approved through the API a few seconds later (so the
 * newcomer has time to do it themselves), and followed until it ends.
 */

export const PROMOTION_REACTION = 'promote-to-production';
export const APPROVAL_STEP = 'gate';

interface RunStep {
  id: string;
  status: string;
  channel: string | null;
  input: unknown;
  output: unknown;
  error: string | null;
}
interface Run {
  id: string;
  status: string;
  error: string | null;
  steps?: RunStep[];
}

/** What the gate asked ("Promote Storefront 1.4.2 to Production?"), for the lines printed. */
function question(run: Run): string {
  const message = (run.steps?.find((s) => s.id === APPROVAL_STEP)?.input as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'Promote to Production?';
}

/** Call `tick` every poll: it announces new waiting promotions, approves the ripe ones, reports the finished ones. */
export function autoApprover(options: { api: ApiClient; approveAfterMs: number; print: (line: string) => void }): {
  tick(): Promise<void>;
} {
  const { api, print } = options;
  /** Waiting runs → when they were first seen, and what they ask. */
  const waiting = new Map<string, { since: number; what: string }>();
  /** Approved runs still going → what they asked. */
  const following = new Map<string, string>();

  async function follow(): Promise<void> {
    for (const [id, what] of following) {
      const run = await api.get<Run>(apiPath('runs', id));
      if (!['succeeded', 'failed', 'cancelled'].includes(run.status)) continue;
      following.delete(id);
      const production = run.steps?.find((s) => s.id === 'production');
      const data = (production?.output as { data?: { taskState?: string; errorMessage?: string } } | undefined)?.data;
      const release = what.replace(/^Promote /, '').replace(/ to Production\?$/, '');
      if (run.status === 'succeeded') print(`[octopus] ${release} reached Production (run ${id} succeeded)`);
      else
        print(
          `[octopus] ${release} did not reach Production: ${data?.errorMessage ?? run.error ?? run.status} (run ${id} ${run.status}; \`shipline runs show ${id}\`)`,
        );
    }
  }

  return {
    async tick() {
      const list = await api.get<{ items: Run[] }>(apiPath('runs'), { reaction: PROMOTION_REACTION, status: 'waiting', limit: 20 });
      const now = Date.now();
      for (const { id } of list.items) {
        if (waiting.has(id) || following.has(id)) continue;
        const run = await api.get<Run>(apiPath('runs', id));
        const what = question(run);
        waiting.set(id, { since: now, what });
        print(
          `[approval] ${what} Run ${id} waits for approval: \`shipline runs approve ${id} ${APPROVAL_STEP}\` (the demo approves it in ${Math.round(options.approveAfterMs / 1000)} s)`,
        );
      }
      for (const [id, { since, what }] of waiting) {
        if (now - since < options.approveAfterMs) continue;
        waiting.delete(id);
        following.set(id, what);
        try {
          await api.post(apiPath('runs', id, 'steps', APPROVAL_STEP, 'approve'), { comment: 'approved by the demo' });
          print(`[approval] Approved run ${id}: deploying to Production`);
        } catch (err) {
          // Someone approved or rejected it first (409 step.not_waiting): that is the point of the wait.
          if ((err as { code?: string }).code !== 'step.not_waiting') throw err;
          print(`[approval] Run ${id} was decided by someone else`);
        }
      }
      await follow();
    },
  };
}
