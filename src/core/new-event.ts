/** An event to store. */
export interface NewEvent {
  type: string;
  /** Who produced it: `deploy-endpoint:<name>` (never its id, a credential), `webhook:<name>`, `reaction:<name>`, ... */
  source: string;
  data: unknown;
  /** Unique per source delivery (e.g. an Octopus Event.Id): a second append with it is a no-op. */
  sourceKey?: string | null;
  /** When it happened; default now. */
  timestamp?: string;
  /** Correlation keys waiting steps may be resumed by, e.g. `octopus.deployment:Deployments-1011`. */
  correlate?: string[];
  /**
   * The deploy this event is about: the provider deployment as the catalog keys it (the deploy's
   * dedup id) on `deploy.updated` and `octopus.deployment.*`, or `deploy:<id>` on `deploy.failed`
   * and `deploy.marked_failed`, so a deploy's events are found by index.
   */
  subject?: string | null;
}
