import type { Connection, ConnectionWithSecrets } from '../core/connection.js';
import type { DeployInput } from '../core/deploy-payload.js';
import type { ReactionSpec } from '../core/reactions/document.js';
import type { DeployStatus } from '../core/vocabulary.js';
import type { HttpClient } from '../engine/action.js';
import type { NewEvent } from '../core/new-event.js';

/**
 * What a provider may ask of the running Shipline: the ports through which it reaches the store
 * and the process, so that no provider imports the store or the server. The store-backed host is
 * made by the runtime (src/connections/host.ts); a test may give its own.
 */
export interface ConnectionHost {
  /** Unique per Shipline database: names what Shipline creates at a provider (e.g. a subscription). */
  readonly installationId: string;
  /** Shipline's public base URL, as providers reach it (their webhooks' target). */
  publicUrl(): string;
  /** The SSRF-guarded HTTP client. */
  readonly http: HttpClient;
  /** A unique name for this process (who holds a lease). */
  readonly owner: string;
  readonly logger?: HostLogger | undefined;
  /** How often providers redo what they keep at the provider (subscriptions) and look for changes to do it. */
  readonly reconcile: { intervalMs?: number | undefined; watchMs?: number | undefined };
  readonly connections: HostConnections;
  readonly reactions: HostReactions;
  readonly leases: HostLeases;
  readonly kv: HostKv;
  readonly inbox: HostInbox;
  /** Runs `work` in one transaction (grouped with others): events, deploys and inbox marks commit together. */
  commit<T>(work: (tx: HostTransaction) => Promise<T>): Promise<T>;
  /** True when `err` is the store being unreachable, which the store reports itself (log nothing more). */
  reportOutage(err: unknown): boolean;
}

export interface HostLogger {
  info(obj: object, message: string): void;
  warn(obj: object, message: string): void;
  error(obj: object, message: string): void;
}

export interface ConnectionChange {
  kind: 'created' | 'updated' | 'deleted';
  connection: ConnectionWithSecrets;
}

export interface HostConnections {
  /** By name or id, with its secrets; undefined when there is none. */
  get(nameOrId: string): Promise<ConnectionWithSecrets | undefined>;
  /** Every connection of a type (no secrets), by name. */
  list(type: string): Promise<Connection[]>;
  /** Merges `patch` into the connection's state (what Shipline learned about the other side). */
  setState(id: string, patch: Record<string, unknown>): Promise<void>;
  /** Told of every change made by this process; returns how to stop listening. */
  onChange(listener: (change: ConnectionChange) => void): () => void;
  /** Ids of connections that waiting steps depend on: the wait keys start with `prefix` then the id. */
  waitingIds(prefix: string): Promise<Set<string>>;
}

export interface HostReactions {
  /** Changes whenever a reaction is applied, enabled or removed. */
  generation(): Promise<number>;
  /** The enabled reactions' documents. */
  enabled(): Promise<ReactionSpec[]>;
}

export interface HostLeases {
  /** True when `owner` now holds `name` for `ms` (across every instance sharing the store). */
  acquire(name: string, owner: string, ms: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface HostKv {
  get(scope: string, key: string): Promise<unknown>;
  set(scope: string, key: string, value: unknown): Promise<void>;
}

/** A delivery kept as it arrived until it is turned into events. */
export interface InboxDelivery {
  seq: number;
  source: string;
  payload: unknown;
}

/** Deliveries kept until processed (committed before they are answered; a crash loses none). */
export interface HostInbox {
  /** Unprocessed deliveries whose source starts with `prefix`, received before `before`. */
  pending(prefix: string, limit: number, before: string): Promise<InboxDelivery[]>;
  /** Every delivery whose source starts with `prefix`, after `afterSeq`, in order. */
  page(prefix: string, afterSeq: number, limit: number): Promise<InboxDelivery[]>;
  replacePayload(seq: number, payload: unknown): Promise<void>;
  /** Counts a failed attempt with its reason; the delivery stays pending. */
  failed(seq: number, error: string): Promise<void>;
}

/** An event a provider stores; `source` is the connection's (`connection:<name>`). */
export type HostEvent = NewEvent;

/** A deploy a provider reports, recorded or advanced (status only moves forward) under the connection's endpoint. */
export interface HostDeploy {
  dedupId: string;
  status: DeployStatus;
  /** `deploys.source`: the provider's type. */
  source: string;
  /** Aliases to try, in order, for the service; the first known one wins, else `input.service`. */
  aliasCandidates?: string[];
  input: Omit<DeployInput, 'dedupId' | 'status' | 'source'>;
}

/** What one transaction may do. */
export interface HostTransaction {
  /** Stores a delivery; undefined when (source, key) was stored before. */
  addToInbox(source: string, key: string, payload: unknown): Promise<number | undefined>;
  markDone(seq: number, now: string): Promise<void>;
  /** Stores events (and queues the runs they start); returns those stored (a repeated sourceKey is not). */
  appendEvents(events: HostEvent[], now: string): Promise<{ id: string }[]>;
  recordDeploy(connection: Connection, deploy: HostDeploy, now: string): Promise<void>;
}
