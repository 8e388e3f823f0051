/**
 * The events Shipline stores itself (deploys, suggestions, runs, named webhooks), declared as
 * providers declare theirs: for the UI's trigger field, the API and the generated docs.
 */
export interface DeclaredEvent {
  /** The event type (or, for named webhooks, its pattern). */
  type: string;
  description: string;
  /** A `data` of this event as Shipline stores it. */
  example: unknown;
}

const deploy = {
  id: '0193a6f2-7c1e-7d2a-9b1f-3c4d5e6f7a80',
  endpoint: 'github-actions',
  service: { id: '0193a6f2-6b00-7000-8000-000000000001', name: 'checkout' },
  serviceAlias: 'checkout',
  environment: 'production',
  description: 'Deployed checkout 2024.06.3',
  deployedAt: '2026-12-01T09:30:00.000Z',
  deployUrl: 'https://github.com/acme/checkout/actions/runs/9876543210',
  deployNumber: '2024.06.3',
  dedupId: 'checkout-2024.06.3-production',
  deployer: { id: null, email: 'ada@example.com', name: 'Ada' },
  commit: { sha: '4f9c2e1', message: 'Faster cart totals', branch: 'main', date: null, committer: null, author: null },
  receivedAt: '2026-12-01T09:30:01.112Z',
  status: 'succeeded',
  source: 'custom',
};

export const BUILTIN_EVENTS: readonly DeclaredEvent[] = [
  {
    type: 'deploy.recorded',
    description: 'A deploy was recorded (a deploy endpoint, a connection, a reaction); data is the deploy.',
    example: deploy,
  },
  {
    type: 'deploy.updated',
    description:
      "A deploy's status moved forward (a provider reported it queued → started → succeeded or failed); data is the deploy and its previousStatus.",
    example: { ...deploy, source: 'octopus', status: 'succeeded', previousStatus: 'started' },
  },
  {
    type: 'deploy.failed',
    description: 'A deploy became failed, reported by its source or marked by someone; data is the deploy and the failure.',
    example: { ...deploy, status: 'failed', failure: { source: 'mark', reason: 'Rolled back: checkout errors', markedBy: 'ada' } },
  },
  {
    type: 'deploy.marked_failed',
    description: 'Someone marked a deploy failed (also stored when it already read failed).',
    example: {
      deployId: deploy.id,
      serviceId: deploy.service.id,
      serviceAlias: 'checkout',
      environment: 'production',
      reason: 'Rolled back: checkout errors',
      markedBy: 'ada',
    },
  },
  {
    type: 'suggestion.created',
    description: 'A deploy named an alias no service claims yet: a service is suggested.',
    example: { alias: 'payments-api', deployId: deploy.id, environment: 'production' },
  },
  ...(['succeeded', 'failed', 'cancelled'] as const).map((status) => ({
    type: `run.${status}`,
    description: `A reaction's run ${status}; data names the run, its reaction, the event that started it and each step's outcome.`,
    example: {
      runId: '0193a6f3-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
      reaction: 'notify-slack',
      version: 3,
      status,
      eventId: deploy.id,
      steps: {
        notify: { status: status === 'succeeded' ? 'succeeded' : 'failed', channel: status === 'succeeded' ? 'success' : 'failed' },
      },
    },
  })),
  {
    type: 'schedule.fired',
    description:
      "A scheduled reaction's tick (source schedule:<reaction>): data names the reaction, the time the tick was scheduled for and when it fired (ISO UTC). It starts a run of that reaction only; other reactions may listen to every tick with on.event.",
    example: {
      reaction: 'deploy-latest-to-staging-weekdays',
      scheduledAt: '2026-12-07T08:00:00.000Z',
      firedAt: '2026-12-07T08:00:00.004Z',
    },
  },
  {
    type: 'webhook.<name>',
    description: 'A delivery to the named webhook /hooks/<name>: its body (parsed when JSON), query and the headers it keeps.',
    example: { body: { ref: 'refs/heads/main' }, query: {}, headers: { 'content-type': 'application/json' } },
  },
];
