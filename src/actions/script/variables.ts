import type { ActionContext } from '../../engine/action.js';
import { NonRetriableError } from '../../engine/action.js';
import type { KnownConnection, KnownConnections, SettingProblem } from '../../core/reactions/document.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';

/**
 * The variables a script gets besides its own `env`: the event's ids, and what the connections
 * it names give. Values travel in the environment only, never into `run`.
 */

/** Every variable whose name starts with this is Shipline's: `env` may not set one. */
export const SHIPLINE_PREFIX = 'SHIPLINE_';

/** A portable environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The event's ids a script gets, by variable, from these fields of the event's data. */
export const EVENT_ID_VARIABLES: ReadonlyArray<{ name: string; field: string; description: string }> = [
  { name: 'SHIPLINE_PROJECT_ID', field: 'projectId', description: 'The project (Octopus `Projects-…`)' },
  { name: 'SHIPLINE_RELEASE_ID', field: 'releaseId', description: 'The release (`Releases-…`)' },
  { name: 'SHIPLINE_DEPLOYMENT_ID', field: 'deploymentId', description: 'The deployment (`Deployments-…`)' },
  { name: 'SHIPLINE_ENVIRONMENT_ID', field: 'environmentId', description: 'The environment (`Environments-…`)' },
  { name: 'SHIPLINE_MACHINE_ID', field: 'machineId', description: 'The deployment target (`Machines-…`)' },
  { name: 'SHIPLINE_TENANT_ID', field: 'tenantId', description: 'The tenant (`Tenants-…`)' },
  { name: 'SHIPLINE_TASK_ID', field: 'taskId', description: 'The server task (`ServerTasks-…`)' },
  { name: 'SHIPLINE_SPACE_ID', field: 'spaceId', description: 'The space (`Spaces-…`)' },
  { name: 'SHIPLINE_CHANNEL_ID', field: 'channelId', description: 'The release channel (`Channels-…`)' },
];

/** An id longer than this is no id: left out rather than risk the environment's size limit. */
const MAX_ID_LENGTH = 1024;

/**
 * `SHIPLINE_EVENT_ID`, `SHIPLINE_EVENT_TYPE` and each id the event's data has as text. A field
 * that is there but not plain text (a number, a list, a NUL, too long) is left out and said so
 * in the step's log: the script then sees the variable unset, never a value Shipline made up.
 */
export function eventVariables(event: ShiplineEvent, log: (line: string) => void): Record<string, string> {
  const values: Record<string, string> = { SHIPLINE_EVENT_ID: event.id, SHIPLINE_EVENT_TYPE: event.type };
  const data = event.data !== null && typeof event.data === 'object' && !Array.isArray(event.data) ? event.data : {};
  for (const { name, field } of EVENT_ID_VARIABLES) {
    if (!Object.hasOwn(data, field)) continue;
    const value = (data as Record<string, unknown>)[field];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' || value === '' || value.includes('\0') || value.length > MAX_ID_LENGTH) {
      log(`script: ${name} is not set: data.${field} is not an id (text of 1 to ${MAX_ID_LENGTH} characters)`);
      continue;
    }
    values[name] = value;
  }
  return values;
}

/**
 * The variables of the connections the step names, for this run. Two connections whose types
 * declare one name (two Octopus connections) are refused, as is `env` naming a variable a
 * connection declares: which value a script got must never depend on an order nobody sees, and an
 * `env` value must not send a connection's key somewhere its own settings do not say. The rules
 * are `connectionVariableProblems`', which applying the reaction checked against the connections
 * that existed then; here they meet the connections as they are now.
 */
export async function connectionVariables(
  ctx: ActionContext,
  names: readonly string[],
  ownEnv: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  const known = new Map<string, KnownConnection>();
  const values: Record<string, string> = {};
  for (const name of names) {
    const env = await ctx.connectionEnv(name);
    known.set(name, { name: env.name, type: env.type, scriptVariables: env.variables.map((v) => v.name) });
    Object.assign(values, env.values);
  }
  const [problem] = connectionVariableProblems({ connections: names, env: ownEnv }, known);
  if (problem)
    throw new NonRetriableError(`script: ${problem.setting === 'env' ? `${problem.at} is ${problem.message}` : problem.message}`);
  return values;
}

/**
 * Two named connections giving one variable, and `env` setting a variable a named connection
 * gives: found when the reaction is applied, against the connections that exist then (one created
 * later is checked when the step runs, by `connectionVariables` with these same rules).
 */
export function connectionVariableProblems(config: Record<string, unknown>, known: KnownConnections | undefined): SettingProblem[] {
  const names = config.connections;
  if (!known || !Array.isArray(names)) return [];
  const ownEnv = config.env !== null && typeof config.env === 'object' && !Array.isArray(config.env) ? config.env : {};
  const problems: SettingProblem[] = [];
  const givenBy = new Map<string, string>();
  for (const name of new Set(names)) {
    const connection = typeof name === 'string' ? known.get(name) : undefined;
    if (!connection) continue;
    for (const variable of connection.scriptVariables) {
      const other = givenBy.get(variable);
      if (other !== undefined) {
        problems.push({
          setting: 'connections',
          at: 'connections',
          message: `connections "${other}" and "${connection.name}" both give ${variable}; name at most one connection of each kind`,
        });
        break;
      }
      givenBy.set(variable, connection.name);
      if (Object.hasOwn(ownEnv, variable))
        problems.push({
          setting: 'env',
          at: `env.${variable}`,
          message: `a variable connection "${connection.name}" (${connection.type}) gives; remove it from env or use another name`,
        });
    }
  }
  return problems;
}

/**
 * The `env` names a script may not set: a name that is no portable variable name, and Shipline's
 * own (so `SHIPLINE_PROJECT_ID` always means the event's project). Validation refuses them when a
 * reaction is applied; `checkOwnEnv` again before a stored step runs.
 */
export function envNameProblems(env: unknown): SettingProblem[] {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return [];
  const problems: SettingProblem[] = [];
  for (const name of Object.keys(env)) {
    const at = `env.${name}`;
    if (!ENV_NAME.test(name)) {
      problems.push({ setting: 'env', at, message: 'not a variable name: use letters, digits and _, not starting with a digit' });
    } else if (name.toUpperCase().startsWith(SHIPLINE_PREFIX)) {
      problems.push({
        setting: 'env',
        at,
        message: `names starting with ${SHIPLINE_PREFIX} are set by Shipline (the run, the event and its ids); use another name`,
      });
    }
  }
  return problems;
}

/** Fails the step on the names `envNameProblems` refuses (a document stored before they were checked when applied). */
export function checkOwnEnv(env: Readonly<Record<string, string>>): void {
  const problems = envNameProblems(env);
  if (problems.length > 0) throw new NonRetriableError(`script: ${problems.map((p) => `${p.at}: ${p.message}`).join('; ')}`);
}
