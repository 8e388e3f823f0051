// GET /api/v1/events/:id/matches and POST /api/v1/events/:id/replay (src/server/engine-schemas.ts).

export interface EventMatch {
  reaction: string;
  /** The current version, the one matched against. */
  version: number;
  enabled: boolean;
  trigger: string;
  /** Whether it would start on this event now. */
  matched: boolean;
  /** Why not. */
  reason: string | null;
  /** The runs this event started for it, newest first. */
  runs: Array<{ id: string; status: string }>;
}

export interface ReplayResult {
  runs: Array<{ id: string; reaction: string }>;
}
