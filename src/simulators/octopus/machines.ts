import type { SimContext } from './context.js';
import { recordEvent, SYSTEM_ACTOR } from './events.js';
import { render } from './messages.js';
import type { RenderedMessage } from './messages.js';
import { nextId, slugify } from './state.js';
import type { HealthStatus, SimActor, SimMachine, SimProject } from './types.js';

/**
 * Deployment targets (machines) and the events a real server records about them and about a
 * project's deployment process: MachineAdded, MachineDeleted, the four health categories, and a
 * document `Modified` for a process edit.
 */

/** The category Octopus records when a target's health becomes this status (Unknown records none). */
export const HEALTH_CATEGORY: Partial<Record<HealthStatus, string>> = {
  Healthy: 'MachineHealthy',
  Unhealthy: 'MachineUnhealthy',
  Unavailable: 'MachineUnavailable',
  HasWarnings: 'MachineHasWarnings',
};

/**
 * The wire shape of `GET /api/{space}/machines/{id}` (a listening Tentacle), with the fields of
 * Octopus's API reference for deployment targets and the model's values.
 */
export function machineResource(m: SimMachine): Record<string, unknown> {
  const uri = `https://${m.name}:10933/`;
  return {
    Id: m.id,
    SpaceId: m.spaceId,
    Name: m.name,
    Slug: slugify(m.name),
    Thumbprint: 'E5F5A4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7',
    Uri: uri,
    IsDisabled: m.isDisabled,
    EnvironmentIds: m.environmentIds,
    Roles: m.roles,
    MachinePolicyId: 'MachinePolicies-1',
    TenantedDeploymentParticipation: 'Untenanted',
    TenantIds: [],
    TenantTags: [],
    Status: m.healthStatus === 'Unavailable' ? 'Offline' : 'Online',
    HealthStatus: m.healthStatus,
    HasLatestCalamari: true,
    StatusSummary:
      m.healthStatus === 'Healthy' ? 'Octopus was able to successfully establish a connection with this machine' : m.healthStatus,
    IsInProcess: false,
    OperatingSystem: 'Linux',
    OperatingSystemVersion: '22.04',
    SkipInitialHealthCheck: false,
    ShellName: 'Bash',
    ShellVersion: '5.1.16',
    Architecture: 'x64',
    Endpoint: { CommunicationStyle: 'TentaclePassive', Uri: uri, Thumbprint: 'E5F5A4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7' },
    LastModifiedOn: null,
    LastModifiedBy: null,
    Links: {
      Self: `/api/${m.spaceId}/machines/${m.id}`,
      Connection: `/api/${m.spaceId}/machines/${m.id}/connection`,
      TasksTemplate: `/api/${m.spaceId}/machines/${m.id}/tasks{?skip,take}`,
      Web: `/app#/${m.spaceId}/infrastructure/machines/${m.id}`,
    },
  };
}

/** "Deployment target web-03 was added" (wording not confirmed by a capture; see docs/octopus-sim.md). */
function machineMessage(m: SimMachine, what: string): RenderedMessage {
  return render(['Deployment target ', { id: m.id, text: m.name }, ` ${what}`]);
}

/** The machine and the environments it serves: what its events relate to. */
const machineRelated = (m: SimMachine) => [m.id, ...m.environmentIds];

export interface NewMachine {
  spaceId: string;
  name: string;
  environmentIds: string[];
  roles: string[];
  healthStatus: HealthStatus;
  actor: SimActor;
}

/** A Tentacle registers: the target is added (MachineAdded). */
export function addMachine(ctx: SimContext, input: NewMachine): SimMachine {
  const machine: SimMachine = {
    id: nextId(ctx.state, 'Machines'),
    spaceId: input.spaceId,
    name: input.name,
    environmentIds: input.environmentIds,
    roles: input.roles,
    healthStatus: input.healthStatus,
    isDisabled: false,
  };
  ctx.state.machines.push(machine);
  recordEvent(ctx, {
    category: 'MachineAdded',
    spaceId: machine.spaceId,
    message: machineMessage(machine, 'was added'),
    relatedDocumentIds: machineRelated(machine),
    actor: input.actor,
  });
  return machine;
}

/** The target is deleted (MachineDeleted); afterwards `GET /machines/{id}` answers 404. */
export function deleteMachine(ctx: SimContext, machine: SimMachine, actor: SimActor): void {
  ctx.state.machines = ctx.state.machines.filter((m) => m.id !== machine.id);
  recordEvent(ctx, {
    category: 'MachineDeleted',
    spaceId: machine.spaceId,
    message: machineMessage(machine, 'was deleted'),
    relatedDocumentIds: machineRelated(machine),
    actor,
  });
}

/** A health check finds the target in this state; an event only when it changed (as Octopus records them). */
export function setMachineHealth(ctx: SimContext, machine: SimMachine, health: HealthStatus): boolean {
  if (machine.healthStatus === health) return false;
  machine.healthStatus = health;
  const category = HEALTH_CATEGORY[health];
  if (!category) return true;
  const words: Record<string, string> = {
    MachineHealthy: 'is healthy',
    MachineUnhealthy: 'is unhealthy',
    MachineUnavailable: 'is unavailable',
    MachineHasWarnings: 'has warnings',
  };
  recordEvent(ctx, {
    category,
    spaceId: machine.spaceId,
    message: machineMessage(machine, words[category]!),
    relatedDocumentIds: machineRelated(machine),
    actor: SYSTEM_ACTOR,
  });
  return true;
}

/** Someone saves the project's deployment process: a document `Modified` about `deploymentprocess-Projects-N` and the project. */
export function modifyDeploymentProcess(ctx: SimContext, project: SimProject, actor: SimActor, details: string | null): void {
  const processId = `deploymentprocess-${project.id}`;
  recordEvent(ctx, {
    category: 'Modified',
    spaceId: project.spaceId,
    message: render(['Deployment process of project ', { id: project.id, text: project.name }, ' was modified']),
    relatedDocumentIds: [processId, project.id],
    actor,
    details,
  });
}
