import { Type } from 'typebox';
import type { SimContext } from './context.js';
import { checked, ControlError } from './control-ops.js';
import { userActor } from './events.js';
import { findEnvironment, findProject, findSpace, sameId } from './lookup.js';
import { addMachine, deleteMachine, modifyDeploymentProcess, setMachineHealth } from './machines.js';
import type { SimMachine, SimProject, SimSpace } from './types.js';
import { HEALTH_STATUSES } from './types.js';

/**
 * Control operations for the infrastructure and configuration events (`/_sim/machines`,
 * `/_sim/projects/{project}/deployment-process`): each changes the model and records the event a
 * real server would, delivered through the subscriptions like the deployment events.
 */

const Health = Type.Union(HEALTH_STATUSES.map((h) => Type.Literal(h)));

/** Changes made here are attributed to the API user, with the portal as the agent (a person did them). */
const portalActor = (ctx: SimContext) => userActor(ctx.state, 'Octopus Web Portal', '127.0.0.1');

function spaceOf(ctx: SimContext, spaceId: string | undefined): SimSpace {
  const space = spaceId === undefined ? ctx.state.spaces.find((s) => s.isDefault) : findSpace(ctx.state, spaceId);
  if (!space) throw new ControlError(404, `no space ${spaceId}`);
  return space;
}

const MachineInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** Environment names or ids. */
    environments: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    healthStatus: Type.Optional(Health),
    spaceId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** A Tentacle registers in the given environments: records MachineAdded. A name already used is a 409. */
export function registerMachine(ctx: SimContext, input: unknown): SimMachine {
  const spec = checked(MachineInput, input, 'machine');
  const space = spaceOf(ctx, spec.spaceId);
  if (ctx.state.machines.some((m) => m.spaceId === space.id && sameId(m.name, spec.name)))
    throw new ControlError(409, `a machine named ${spec.name} already exists in ${space.id}`);
  const environmentIds = spec.environments.map((key) => {
    const env = findEnvironment(ctx.state, space.id, key);
    if (!env) throw new ControlError(404, `no environment ${key} in ${space.id}`);
    return env.id;
  });
  return addMachine(ctx, {
    spaceId: space.id,
    name: spec.name,
    environmentIds,
    roles: spec.roles ?? [],
    healthStatus: spec.healthStatus ?? 'Healthy',
    actor: portalActor(ctx),
  });
}

/** A machine by id or name, in any space. */
function machine(ctx: SimContext, key: string): SimMachine {
  const found = ctx.state.machines.find((m) => sameId(m.id, key)) ?? ctx.state.machines.find((m) => sameId(m.name, key));
  if (!found) throw new ControlError(404, `no machine ${key}`);
  return found;
}

/** Deletes a machine: records MachineDeleted. */
export function removeMachine(ctx: SimContext, key: string): SimMachine {
  const found = machine(ctx, key);
  deleteMachine(ctx, found, portalActor(ctx));
  return found;
}

const HealthInput = Type.Object({ healthStatus: Health }, { additionalProperties: false });

/** A health check's result: records MachineHealthy/Unhealthy/Unavailable/HasWarnings when the status changed. */
export function changeMachineHealth(ctx: SimContext, key: string, input: unknown): SimMachine {
  const { healthStatus } = checked(HealthInput, input, 'health');
  const found = machine(ctx, key);
  setMachineHealth(ctx, found, healthStatus);
  return found;
}

const ProcessInput = Type.Object(
  { spaceId: Type.Optional(Type.String({ minLength: 1 })), details: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** Someone edits the project's deployment process: records a document Modified. */
export function editDeploymentProcess(ctx: SimContext, projectKey: string, input: unknown): SimProject {
  const spec = checked(ProcessInput, input ?? {}, 'deployment process');
  const space = spaceOf(ctx, spec.spaceId);
  const project = findProject(ctx.state, space.id, projectKey);
  if (!project) throw new ControlError(404, `no project ${projectKey} in ${space.id}`);
  modifyDeploymentProcess(ctx, project, portalActor(ctx), spec.details ?? null);
  return project;
}
