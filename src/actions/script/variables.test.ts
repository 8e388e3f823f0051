import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import { literalSettingProblems } from '../../core/reactions/literal-settings.js';
import type { ShiplineEvent } from '../../core/vocabulary.js';
import { NonRetriableError } from '../../engine/action.js';
import type { ConnectionScriptEnv, Outcome } from '../../engine/action.js';
import { createTestContext } from '../../integrations/action-context.test-support.js';
import { createScriptAction } from './script.js';
import type { ScriptConfig } from './script.js';

function connection(
  name: string,
  type: string,
  secrets: Record<string, string>,
  config: Record<string, unknown> = {},
): ConnectionWithSecrets {
  const at = '2026-12-01T00:00:00.000Z';
  return { id: `id-${name}`, name, type, config, secrets, state: {}, endpointId: 'e', createdAt: at, updatedAt: at };
}

/** A stand-in for the integrations' declarations: "vault" gives VAULT_ADDR and VAULT_TOKEN, "mail" gives MAIL_HOST. */
function scriptEnv(c: ConnectionWithSecrets): ConnectionScriptEnv {
  if (c.type === 'vault')
    return {
      variables: [
        { name: 'VAULT_ADDR', secret: false },
        { name: 'VAULT_TOKEN', secret: true },
        { name: 'VAULT_NAMESPACE', secret: false },
      ],
      values: { VAULT_ADDR: String(c.config.addr), VAULT_TOKEN: c.secrets.token! },
    };
  return { variables: [{ name: 'MAIL_HOST', secret: false }], values: { MAIL_HOST: String(c.config.host) } };
}

const event: ShiplineEvent = {
  id: 'evt_octo',
  type: 'octopus.deployment.succeeded',
  source: 'connection:prod',
  timestamp: '2026-12-01T00:00:00.000Z',
  data: {
    projectId: 'Projects-1',
    releaseId: 'Releases-2',
    deploymentId: 'Deployments-3',
    environmentId: 'Environments-4',
    machineId: 'Machines-5',
    taskId: 'ServerTasks-6',
    spaceId: 'Spaces-1',
    channelId: 'Channels-7',
    tenantId: 42,
    other: 'x',
  },
};

const test = createTestContext({
  event,
  scriptEnv,
  connections: {
    'vault-a': connection('vault-a', 'vault', { token: 'tok-a' }, { addr: 'https://vault-a.example' }),
    'vault-b': connection('vault-b', 'vault', { token: 'tok-b' }, { addr: 'https://vault-b.example' }),
    mail: connection('mail', 'mail', {}, { host: 'smtp.example' }),
  },
});
const action = createScriptAction({ enabled: true });
const run = (config: ScriptConfig) => action.run(test.ctx, config) as Promise<Outcome>;
const outputs = (outcome: Outcome) => (outcome.output as { outputs: Record<string, string> }).outputs;
afterAll(() => test.close());

/** Prints each named variable as an output, `unset` when it is not in the environment. */
const printing = (...names: string[]) => names.map((n) => `echo "::output ${n}=\${${n}-unset}"`).join('\n');

describe('script variables', () => {
  it("gives each named connection's variables, unset where the connection has no value", async () => {
    const outcome = await run({
      run: printing('VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE', 'MAIL_HOST'),
      connections: ['vault-a', 'mail'],
    });
    expect(outcome.channel).toBe('success');
    expect(outputs(outcome)).toEqual({
      VAULT_ADDR: 'https://vault-a.example',
      VAULT_TOKEN: 'tok-a',
      VAULT_NAMESPACE: 'unset',
      MAIL_HOST: 'smtp.example',
    });
  });

  it('refuses two connections that give the same variable, naming both', async () => {
    const failure = run({ run: 'true', connections: ['vault-a', 'mail', 'vault-b'] });
    await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.toThrow('connections "vault-a" and "vault-b" both give VAULT_ADDR');
  });

  it('refuses env naming a variable a connection declares, set or not', async () => {
    for (const name of ['VAULT_ADDR', 'VAULT_NAMESPACE']) {
      const failure = run({ run: 'true', connections: ['vault-a'], env: { [name]: 'https://elsewhere.example' } });
      await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
      await expect(failure).rejects.toThrow(`env.${name} is a variable connection "vault-a" (vault) gives`);
    }
  });

  it('fails without retry on an unknown connection, naming it', async () => {
    const failure = run({ run: 'true', connections: ['nope'] });
    await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.toThrow('connection nope does not exist');
  });

  it("gives the event's ids that are text, and says which were left out", async () => {
    const names = [
      'SHIPLINE_EVENT_ID',
      'SHIPLINE_EVENT_TYPE',
      'SHIPLINE_PROJECT_ID',
      'SHIPLINE_RELEASE_ID',
      'SHIPLINE_DEPLOYMENT_ID',
      'SHIPLINE_ENVIRONMENT_ID',
      'SHIPLINE_MACHINE_ID',
      'SHIPLINE_TENANT_ID',
      'SHIPLINE_TASK_ID',
      'SHIPLINE_SPACE_ID',
      'SHIPLINE_CHANNEL_ID',
    ];
    const outcome = await run({ run: printing(...names) });
    expect(outputs(outcome)).toEqual({
      SHIPLINE_EVENT_ID: 'evt_octo',
      SHIPLINE_EVENT_TYPE: 'octopus.deployment.succeeded',
      SHIPLINE_PROJECT_ID: 'Projects-1',
      SHIPLINE_RELEASE_ID: 'Releases-2',
      SHIPLINE_DEPLOYMENT_ID: 'Deployments-3',
      SHIPLINE_ENVIRONMENT_ID: 'Environments-4',
      SHIPLINE_MACHINE_ID: 'Machines-5',
      SHIPLINE_TENANT_ID: 'unset',
      SHIPLINE_TASK_ID: 'ServerTasks-6',
      SHIPLINE_SPACE_ID: 'Spaces-1',
      SHIPLINE_CHANNEL_ID: 'Channels-7',
    });
    expect(test.logs).toContain('script: SHIPLINE_TENANT_ID is not set: data.tenantId is not an id (text of 1 to 1024 characters)');
  });

  it('leaves out an id holding NUL or shell text as data, never as code', async () => {
    const odd = createTestContext({
      event: { ...event, data: { projectId: 'a\u0000b', releaseId: '$(touch pwned); `id`', environmentId: null } },
    });
    try {
      const outcome = (await action.run(odd.ctx, {
        run: `${printing('SHIPLINE_PROJECT_ID', 'SHIPLINE_RELEASE_ID', 'SHIPLINE_ENVIRONMENT_ID')}; ls`,
      })) as Outcome;
      expect(outputs(outcome)).toEqual({
        SHIPLINE_PROJECT_ID: 'unset',
        SHIPLINE_RELEASE_ID: '$(touch pwned); `id`',
        SHIPLINE_ENVIRONMENT_ID: 'unset',
      });
      expect(odd.logs).not.toContain('pwned');
      expect(odd.logs).toContain('script: SHIPLINE_PROJECT_ID is not set: data.projectId is not an id (text of 1 to 1024 characters)');
    } finally {
      await odd.close();
    }
  });

  it("refuses env naming Shipline's own variables, so they always mean what Shipline says", async () => {
    const failure = run({ run: 'true', env: { SHIPLINE_PROJECT_ID: 'Projects-999', OK: 'yes' } });
    await expect(failure).rejects.toBeInstanceOf(NonRetriableError);
    await expect(failure).rejects.toThrow('env.SHIPLINE_PROJECT_ID: names starting with SHIPLINE_ are set by Shipline');
  });

  it('takes connections literally: a template in the list is refused, at its index', () => {
    expect(literalSettingProblems({ connections: ['prod', '{{ data.connection }}'] }, action.literalSettings, 'with')).toEqual([
      expect.stringMatching(/^with\.connections\[1\]: templates are not allowed in a script's connections/),
    ]);
    expect(literalSettingProblems({ connections: '{{ data.list }}' }, action.literalSettings, 'with')).toEqual([
      expect.stringMatching(/^with\.connections: templates are not allowed/),
    ]);
    expect(literalSettingProblems({ connections: ['prod', 'octopus-eu'] }, action.literalSettings, 'with')).toEqual([]);
  });

  it('finds, when applied, what the run would refuse among the connections that exist', () => {
    const vault = { name: 'vault-a', type: 'vault', scriptVariables: ['VAULT_ADDR', 'VAULT_TOKEN'] };
    const known = new Map([
      ['vault-a', vault],
      ['id-vault-a', vault],
      ['vault-b', { name: 'vault-b', type: 'vault', scriptVariables: ['VAULT_ADDR', 'VAULT_TOKEN'] }],
      ['mail', { name: 'mail', type: 'mail', scriptVariables: ['MAIL_HOST'] }],
    ]);
    const problems = (config: Record<string, unknown>) => action.configProblems!(config, known).map((p) => `${p.at}: ${p.message}`);
    expect(problems({ run: 'true', connections: ['vault-a', 'mail'], env: { OTHER: 'x' } })).toEqual([]);
    expect(problems({ run: 'true', connections: ['vault-a', 'mail', 'vault-b'] })).toEqual([
      'connections: connections "vault-a" and "vault-b" both give VAULT_ADDR; name at most one connection of each kind',
    ]);
    expect(problems({ run: 'true', connections: ['vault-a', 'id-vault-a'] })).toHaveLength(1);
    expect(problems({ run: 'true', connections: ['mail'], env: { MAIL_HOST: 'elsewhere' } })).toEqual([
      'env.MAIL_HOST: a variable connection "mail" (mail) gives; remove it from env or use another name',
    ]);
    // Unknown now (created later, or never): left to the run, which refuses the same.
    expect(problems({ run: 'true', connections: ['vault-c', 'vault-d'], env: { VAULT_ADDR: 'x' } })).toEqual([]);
    expect(action.configProblems!({ run: 'true', connections: ['vault-a', 'vault-b'] })).toEqual([]);
  });
});
