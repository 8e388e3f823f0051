import type { ConnectionWithSecrets } from '../core/connection.js';
import { NonRetriableError } from '../engine/action.js';
import type { ConnectionScriptEnv } from '../engine/action.js';
import type { ConnectionType } from './connection-type.js';

/**
 * What a connection gives a script, from its type's `scriptEnv` declaration: the engine gets this
 * function (it may not import the integrations) and hands the result to the script action.
 * Only declared names pass, and only text a process environment can hold.
 */
export function scriptEnvFor(types: readonly ConnectionType[]): (connection: ConnectionWithSecrets) => ConnectionScriptEnv {
  const byType = new Map(types.map((t) => [t.type, t]));
  return (connection) => {
    const declaration = byType.get(connection.type)?.scriptEnv;
    if (!declaration)
      throw new NonRetriableError(
        `connection "${connection.name}" (${connection.type}) gives scripts no variables: its type declares none`,
      );
    const declared = new Map(declaration.variables.map((v) => [v.name, v]));
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(declaration.values(connection))) {
      // A value outside the declaration would be undocumented and escape the collision check.
      if (!declared.has(name)) throw new Error(`the ${connection.type} integration gives the undeclared script variable ${name}`);
      if (typeof value !== 'string' || value === '') continue;
      // A process environment cannot hold NUL; say which setting, never the value.
      if (value.includes('\0'))
        throw new NonRetriableError(`connection "${connection.name}": the value for ${name} contains a NUL character; edit the connection`);
      values[name] = value;
    }
    return { variables: declaration.variables.map(({ name, secret }) => ({ name, secret })), values };
  };
}
