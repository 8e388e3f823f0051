import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import type { ConnectionWithSecrets } from '../core/connection.js';
import { NonRetriableError } from '../engine/action.js';
import { readConnection } from './read-connection.js';

const declared = {
  type: 'acme',
  config: Type.Object(
    {
      apiUrl: Type.Optional(Type.String({ pattern: '^https?://', default: 'https://api.acme.example' })),
      port: Type.Optional(Type.Integer({ minimum: 1 })),
      team: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  secrets: Type.Object({ token: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
};

function stored(config: Record<string, unknown>, secrets: Record<string, string>, type = 'acme'): ConnectionWithSecrets {
  return { id: 'c1', name: 'prod', type, config, secrets, state: {}, endpointId: 'e1', createdAt: '', updatedAt: '' };
}

describe('readConnection', () => {
  it('applies the declared defaults, drops fields no longer declared and takes an empty optional text as absent', () => {
    const settings = readConnection(declared, stored({ team: 'ops', port: 8443, retired: true }, { token: 't0k' }));
    expect(settings).toEqual({ config: { apiUrl: 'https://api.acme.example', port: 8443, team: 'ops' }, secrets: { token: 't0k' } });
    expect(readConnection(declared, stored({ team: 'ops', apiUrl: '' }, { token: 't' })).config.apiUrl).toBe('https://api.acme.example');
  });

  it('types the settings by the schemas', () => {
    const { config, secrets } = readConnection(declared, stored({ team: 'ops' }, { token: 't' }));
    const team: string = config.team;
    const port: number | undefined = config.port;
    const token: string = secrets.token;
    expect([team, port, token]).toEqual(['ops', undefined, 't']);
  });

  it('refuses wrong types and missing fields without retrying, naming each problem but no secret value', () => {
    const read = () => readConnection(declared, stored({ team: 42, port: '8443', apiUrl: 'ftp://x' }, { token: 'hunter2', extra: 'x' }));
    expect(read).toThrow(NonRetriableError);
    expect(read).toThrow(/^acme connection "prod" is misconfigured: /);
    const message = (() => {
      try {
        read();
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('config.port must be integer');
    expect(message).toContain('config.team must be string');
    expect(message).toContain('config.apiUrl must match pattern');
    expect(message).not.toContain('hunter2');
    expect(() => readConnection(declared, stored({}, {}))).toThrow(/config\.team is missing; secrets\.token is missing/);
  });

  it('refuses a connection of another or an unknown type', () => {
    expect(() => readConnection(declared, stored({ team: 'ops' }, { token: 't' }, 'slack'))).toThrow(
      new NonRetriableError('connection "prod" is a slack connection, not acme'),
    );
    expect(() => readConnection(declared, stored({ team: 'ops' }, { token: 't' }, 'nonesuch'))).toThrow(
      /is a nonesuch connection, not acme/,
    );
  });
});
