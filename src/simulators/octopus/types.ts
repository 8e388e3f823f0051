/**
 * The in-memory model of the Octopus stand-in. Field names are camelCase here; the PascalCase
 * wire shapes are built from these in resources-*.ts, so the model stays free of presentation.
 * Times are epoch milliseconds; ids are the Octopus ones (`Projects-3`), assigned from global
 * counters as the real server does.
 */

export interface SimUser {
  id: string;
  username: string;
  displayName: string;
  email: string;
}

export interface SimSpace {
  id: string;
  name: string;
  slug: string;
  description: string;
  isDefault: boolean;
}

export interface SimEnvironment {
  id: string;
  spaceId: string;
  name: string;
  slug: string;
  description: string;
  sortOrder: number;
}

export interface SimProject {
  id: string;
  spaceId: string;
  name: string;
  slug: string;
  description: string;
  projectGroupId: string;
  lifecycleId: string;
}

export interface SimChannel {
  id: string;
  spaceId: string;
  projectId: string;
  name: string;
  slug: string;
  isDefault: boolean;
  lifecycleId: string | null;
}

export interface SimTenant {
  id: string;
  spaceId: string;
  name: string;
  slug: string;
  /** Project id → environment ids the tenant is connected to. */
  projectEnvironments: Record<string, string[]>;
}

/** Octopus's HealthStatus values for a deployment target. */
export const HEALTH_STATUSES = ['Healthy', 'Unhealthy', 'Unavailable', 'HasWarnings', 'Unknown'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** A deployment target (Tentacle): the environments it serves and its roles (target tags). */
export interface SimMachine {
  id: string;
  spaceId: string;
  name: string;
  environmentIds: string[];
  roles: string[];
  healthStatus: HealthStatus;
  isDisabled: boolean;
}

export interface SimSelectedPackage {
  actionName: string;
  stepName: string;
  version: string;
}

export interface SimRelease {
  id: string;
  spaceId: string;
  projectId: string;
  channelId: string;
  version: string;
  releaseNotes: string | null;
  selectedPackages: SimSelectedPackage[];
  assembled: number;
}

export interface SimDeployment {
  id: string;
  spaceId: string;
  projectId: string;
  releaseId: string;
  environmentId: string;
  channelId: string;
  tenantId: string | null;
  taskId: string;
  name: string;
  /** `SpecificMachineIds`: deploy to only these targets (empty: all of the environment's). */
  specificMachineIds: string[];
  /** `ExcludedMachineIds`: skip these targets. */
  excludedMachineIds: string[];
  comments: string | null;
  formValues: Record<string, unknown>;
  created: number;
  deployedBy: string;
  deployedById: string | null;
}

/** Every state a server task can be in; the last four are final. */
export const TASK_STATES = ['Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export type FinalTaskState = 'Success' | 'Failed' | 'Canceled' | 'TimedOut';
export const FINAL_STATES: readonly FinalTaskState[] = ['Success', 'Failed', 'Canceled', 'TimedOut'];

export interface SimTask {
  id: string;
  spaceId: string;
  deploymentId: string;
  projectId: string;
  description: string;
  state: TaskState;
  queueTime: number;
  startTime: number | null;
  completedTime: number | null;
  lastUpdated: number;
  errorMessage: string | null;
  hasWarningsOrErrors: boolean;
}

export interface SimMessageReference {
  ReferencedDocumentId: string;
  StartIndex: number;
  Length: number;
}

/** Who caused an event: the API user for requests, `system` for what the server does itself. */
export interface SimActor {
  userId: string;
  username: string;
  isService: boolean;
  identityEstablishedWith: string;
  userAgent: string;
  ipAddress: string | null;
}

export interface SimEvent {
  id: string;
  /** The position in the audit log; subscriptions remember the last one they delivered. */
  autoId: number;
  spaceId: string | null;
  category: string;
  message: string;
  messageHtml: string;
  messageReferences: SimMessageReference[];
  relatedDocumentIds: string[];
  occurred: number;
  actor: SimActor;
  comments: string | null;
  details: string | null;
}

export interface SimFilter {
  Users: string[];
  Projects: string[];
  ProjectGroups: string[];
  Environments: string[];
  EventGroups: string[];
  EventCategories: string[];
  EventAgents: string[];
  Tenants: string[];
  Tags: string[];
  DocumentTypes: string[];
}

export interface SimSubscription {
  id: string;
  spaceId: string;
  name: string;
  isDisabled: boolean;
  filter: SimFilter;
  webhookUri: string | null;
  webhookTimeout: string;
  webhookHeaderKey: string | null;
  /** Always the plain value; how it is shown depends on the `sensitiveHeaderValues` setting. */
  webhookHeaderValue: string | null;
  webhookTeams: string[];
  emailTeams: string[];
  emailFrequencyPeriod: string;
  emailPriority: string;
  emailShowDatesInTimeZoneId: string;
  slackChannelIds: string[];
  slackChannelNames: string[];
  slackFrequencyPeriod: string | null;
  webhookLastProcessed: number | null;
  webhookLastProcessedEventAutoId: number | null;
}

/** The id kinds with a global counter, in the order Octopus prefixes them. */
export type IdKind =
  | 'Spaces'
  | 'Environments'
  | 'Projects'
  | 'ProjectGroups'
  | 'Lifecycles'
  | 'Channels'
  | 'Tenants'
  | 'Machines'
  | 'Releases'
  | 'Deployments'
  | 'ServerTasks'
  | 'Events'
  | 'Subscriptions';

export interface SimState {
  installationId: string;
  version: string;
  apiKeys: Set<string>;
  user: SimUser;
  spaces: SimSpace[];
  environments: SimEnvironment[];
  projects: SimProject[];
  channels: SimChannel[];
  tenants: SimTenant[];
  machines: SimMachine[];
  releases: SimRelease[];
  deployments: SimDeployment[];
  tasks: SimTask[];
  events: SimEvent[];
  subscriptions: SimSubscription[];
  counters: Record<IdKind, number>;
}
