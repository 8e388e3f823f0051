import { describe, expect, it } from 'vitest';
import { NonRetriableError } from '../engine/action.js';
import type { ConnectionType } from './connection-type.js';
import { CONNECTION_TYPES } from './connection-types.js';
import { EXAMPLE_WEBHOOK_URL } from './discord/webhook-url.js';
import { connectionOf } from './integration.test-support.js';
import { scriptEnvFor } from './script-env.js';

/** A connection of each type with every setting filled in, so every declared variable has a value. */
const FULL: Record<string, { config: Record<string, unknown>; secrets: Record<string, string>; state?: Record<string, unknown> }> = {
  octopus: {
    config: { serverUrl: 'https://octo.example/', space: 'Staging space' },
    secrets: { apiKey: 'API-OCTOKEY', webhookSecret: 'octo-hook-secret' },
    state: { space: { id: 'Spaces-9', name: 'Staging space' } },
  },
  slack: {
    config: { apiUrl: 'https://slack.example/api', defaultChannel: '#deploys' },
    secrets: { botToken: 'xoxb-slack-token', webhookUrl: 'https://hooks.slack.com/services/T0/B0/slack-hook' },
  },
  teams: { config: {}, secrets: { webhookUrl: 'https://prod.example/workflows/teams-hook' } },
  discord: { config: {}, secrets: { webhookUrl: EXAMPLE_WEBHOOK_URL } },
  pagerduty: { config: {}, secrets: { routingKey: 'R'.repeat(32), apiToken: 'pd-api-token', webhookSecret: 'pd-hook-secret' } },
  github: { config: { owner: 'acme', repo: 'shop' }, secrets: { token: 'ghp_token', webhookSecret: 'gh-hook-secret' } },
  jira: {
    config: { siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.example', project: 'OPS' },
    secrets: { apiToken: 'jira-token' },
  },
  email: {
    config: { host: 'smtp.example', from: 'Shipline <s@acme.example>', to: 'ops@acme.example' },
    secrets: { user: 'smtp-user', password: 'smtp-password' },
  },
  newrelic: { config: {}, secrets: { apiKey: 'NRAK-KEY' } },
  datadog: { config: { site: 'datadoghq.eu' }, secrets: { apiKey: 'dd-api-key', appKey: 'dd-app-key' } },
  sentry: { config: { organization: 'acme', project: 'shop' }, secrets: { authToken: 'sentry-token' } },
};

const envOf = scriptEnvFor(CONNECTION_TYPES);

function full(type: ConnectionType) {
  const settings = FULL[type.type]!;
  return { ...connectionOf(type.type, `${type.type}-prod`, settings.config, settings.secrets), state: settings.state ?? {} };
}

describe('the variables each connection type gives scripts', () => {
  it('every type declares some, in its own namespace: no two types share a name, none is Shipline’s or the base environment’s', () => {
    const owner = new Map<string, string>();
    for (const type of CONNECTION_TYPES) {
      expect(type.scriptEnv?.variables.length, type.type).toBeGreaterThan(0);
      for (const variable of type.scriptEnv!.variables) {
        expect(variable.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(variable.name).not.toMatch(/^SHIPLINE_/);
        expect(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ']).not.toContain(variable.name);
        expect(variable.description).toMatch(/\w{3}/);
        expect(owner.get(variable.name), `${variable.name} in ${type.type}`).toBeUndefined();
        owner.set(variable.name, type.type);
      }
    }
  });

  it.each(CONNECTION_TYPES.map((t) => [t.type, t] as const))(
    '%s: a fully set connection fills every variable, and no variable shown as not secret holds a secret',
    (_name, type) => {
      const connection = full(type);
      const env = envOf(connection);
      expect(Object.keys(env.values).sort()).toEqual(type.scriptEnv!.variables.map((v) => v.name).sort());
      const secrets = Object.values(connection.secrets);
      for (const { name, secret } of env.variables) {
        const value = env.values[name]!;
        if (!secret) for (const s of secrets) expect(value, name).not.toContain(s);
      }
      // A secret the script gets is flagged secret (the webhook signing secrets are not given at all).
      const given = Object.values(env.values);
      for (const s of secrets.filter((s) => given.some((v) => v.includes(s)))) {
        const holders = env.variables.filter((v) => env.values[v.name]!.includes(s));
        expect(
          holders.every((v) => v.secret),
          `${type.type}: ${holders.map((v) => v.name).join(', ')}`,
        ).toBe(true);
      }
    },
  );

  it('Octopus: the URL as stored, the key, and the resolved space id before the configured space', () => {
    const octopus = CONNECTION_TYPES.find((t) => t.type === 'octopus')!;
    const connection = full(octopus);
    expect(envOf(connection).values).toEqual({
      OCTOPUS_URL: 'https://octo.example/',
      OCTOPUS_API_KEY: 'API-OCTOKEY',
      OCTOPUS_SPACE: 'Spaces-9',
    });
    expect(envOf({ ...connection, state: {} }).values.OCTOPUS_SPACE).toBe('Staging space');
    expect(envOf({ ...connection, state: {}, config: { serverUrl: 'https://octo.example' } }).values).not.toHaveProperty('OCTOPUS_SPACE');
  });

  it('optional settings left empty leave their variables unset', () => {
    const github = CONNECTION_TYPES.find((t) => t.type === 'github')!;
    expect(envOf(connectionOf('github', 'gh', {}, { token: 'ghp_x' })).values).toEqual({
      GITHUB_TOKEN: 'ghp_x',
      GITHUB_API_URL: 'https://api.github.com',
    });
    expect(github.scriptEnv!.variables.map((v) => v.name)).toContain('GITHUB_REPOSITORY');
  });

  it('refuses a misconfigured connection, a NUL in a value, and a type that declares nothing, without retry', () => {
    expect(() => envOf(connectionOf('jira', 'j', { siteUrl: 'https://a.atlassian.net' }, { apiToken: 't' }))).toThrow(NonRetriableError);
    const nul = connectionOf('newrelic', 'nr', {}, { apiKey: 'NRAK-\u0000' });
    expect(() => envOf(nul)).toThrow('connection "nr": the value for NEW_RELIC_API_KEY contains a NUL character');
    expect(() => envOf(connectionOf('webhook', 'w', {}, {}))).toThrow(NonRetriableError);
  });

  it('refuses a value the type did not declare', () => {
    const sloppy: ConnectionType = {
      ...CONNECTION_TYPES[0]!,
      type: 'sloppy',
      scriptEnv: { variables: [{ name: 'A', description: 'a', secret: false }], values: () => ({ A: '1', B: '2' }) },
    };
    expect(() => scriptEnvFor([sloppy])(connectionOf('sloppy', 's', {}, {}))).toThrow('undeclared script variable B');
  });
});
