import type { ShiplineEvent } from '../../lib/types';

type Data = Record<string, unknown>;
const str = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;

/** One line about what an event says, for the list: the deploy, the run, its message, or its first plain fields. */
export function eventSummary(event: ShiplineEvent): string {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Data;
  if (event.type.startsWith('deploy.')) {
    const service = (data.service as { name?: string } | null)?.name ?? str(data.serviceAlias) ?? '?';
    // deploy.failed says what found the failure; deploy.marked_failed carries the mark, not the deploy.
    const failure = data.failure as { source?: unknown; reason?: unknown } | undefined;
    const status =
      event.type === 'deploy.marked_failed'
        ? `marked failed: ${str(data.reason) ?? '?'}`
        : failure
          ? `failed (${str(failure.source) ?? '?'}): ${str(failure.reason) ?? ''}`.trim()
          : (str(data.status) ?? '?');
    return `${service} → ${str(data.environment) ?? 'no environment'} (${status})`;
  }
  if (event.type.startsWith('run.')) return `${str(data.reaction) ?? '?'} run ${str(data.status) ?? ''}`.trim();
  // A sentence the source wrote (Octopus: "Deploy to Production succeeded for Web release 1.2"): that, not its fields.
  const message = typeof data.message === 'string' ? data.message.trim() : '';
  if (message !== '') return message.length > 160 ? `${message.slice(0, 159)}…` : message;
  // Ids say little in a one-line summary; the event's page shows them.
  const plain = Object.entries(data).flatMap(([key, value]) => (str(value) === null || /id$/i.test(key) ? [] : [`${key}: ${str(value)}`]));
  const line = plain.slice(0, 4).join(', ');
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

/** Where the thing an event is about lives in the UI (a deploy, a run), when it has a page. */
export function eventSubject(event: ShiplineEvent): { to: string; label: string } | null {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Data;
  const deployId = event.type === 'deploy.marked_failed' ? data.deployId : data.id;
  if (event.type.startsWith('deploy.') && typeof deployId === 'string')
    return { to: `/deploys/${encodeURIComponent(deployId)}`, label: 'the deploy' };
  if (event.type.startsWith('run.') && typeof data.runId === 'string')
    return { to: `/runs/${encodeURIComponent(data.runId)}`, label: 'the run' };
  return null;
}
