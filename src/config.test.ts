import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from './config.js';

describe('config', () => {
  it('works with no environment at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, publicUrl: undefined, logLevel: 'info' });
  });

  it('strips a trailing slash from the public URL', () => {
    expect(loadConfig({ SHIPLINE_PUBLIC_URL: 'https://ship.example.com/' }).publicUrl).toBe('https://ship.example.com');
  });

  it.each([
    ['SHIPLINE_PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://x'],
    ['SHIPLINE_ADMIN_TOKEN', 'short'],
    ['SHIPLINE_LOG_LEVEL', 'loud'],
  ])('rejects a bad %s', (env, value) => {
    expect(() => loadConfig({ [env]: value })).toThrow(ConfigError);
  });

  it("reads SHIPLINE_TRUST_PROXY as a flag, a hop count or the proxies' addresses, trusting none by default", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: ' 10.0.0.1, 192.168.0.0/16,::1,fd00::/8 ,loopback' }).trustProxy).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.1,proxy.internal', '::1/129', ',', '1.2.3.4/8/8']) {
      expect(() => loadConfig({ SHIPLINE_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  it('documents every setting in docs/operations.md, and the _FILE form of those that have one', () => {
    const page = fs.readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
    for (const setting of SETTINGS) expect(page, setting.env).toContain(`\`${setting.env}\``);
    const fromFile = SETTINGS.filter((s) => s.fromFile).map((s) => `${s.env}_FILE`);
    expect(fromFile).toEqual(['DATABASE_URL_FILE', 'SHIPLINE_ADMIN_TOKEN_FILE', 'SHIPLINE_MASTER_KEY_FILE']);
    for (const name of fromFile) expect(page, name).toContain(`\`${name}\``);
  });

  describe('secrets from *_FILE', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipline-config-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string) => {
      const at = path.join(dir, name);
      fs.writeFileSync(at, content, { mode: 0o600 });
      return at;
    };

    it('reads the value from the file, without its trailing line break, and lists the file', () => {
      const token = file('token', 'adm_0123456789abcdef\n');
      const key = file('key', `${'ab'.repeat(32)}\r\n`);
      const db = file('db', 'postgres://shipline:pw@db/shipline');
      const config = loadConfig({ SHIPLINE_ADMIN_TOKEN_FILE: token, SHIPLINE_MASTER_KEY_FILE: key, DATABASE_URL_FILE: db });
      expect(config).toMatchObject({
        adminToken: 'adm_0123456789abcdef',
        masterKey: 'ab'.repeat(32),
        databaseUrl: 'postgres://shipline:pw@db/shipline',
      });
      expect(config.secretFiles).toEqual([db, token, key]);
      expect(loadConfig({ SHIPLINE_ADMIN_TOKEN: 'adm_0123456789abcdef' })).toMatchObject({
        adminToken: 'adm_0123456789abcdef',
        secretFiles: [],
      });
    });

    it('validates a value from a file as it would the variable', () => {
      expect(() => loadConfig({ SHIPLINE_ADMIN_TOKEN_FILE: file('short', 'short\n') })).toThrow(
        'SHIPLINE_ADMIN_TOKEN must be at least 16 characters',
      );
      expect(() => loadConfig({ DATABASE_URL_FILE: file('mysql', 'mysql://x') })).toThrow('DATABASE_URL must start with postgres://');
    });

    it('refuses both forms at once, a missing file and an empty one, clearly', () => {
      const token = file('token', 'adm_0123456789abcdef');
      expect(() => loadConfig({ SHIPLINE_ADMIN_TOKEN: 'adm_0123456789abcdef', SHIPLINE_ADMIN_TOKEN_FILE: token })).toThrow(
        new ConfigError('Set SHIPLINE_ADMIN_TOKEN or SHIPLINE_ADMIN_TOKEN_FILE, not both'),
      );
      expect(() => loadConfig({ SHIPLINE_MASTER_KEY_FILE: path.join(dir, 'missing') })).toThrow(
        /^SHIPLINE_MASTER_KEY_FILE: cannot read .*missing: ENOENT/,
      );
      expect(() => loadConfig({ DATABASE_URL_FILE: file('empty', '\n') })).toThrow(
        `DATABASE_URL_FILE: ${path.join(dir, 'empty')} is empty`,
      );
    });
  });

  it('reads SHIPLINE_SCRIPT_USER as a name or numeric ids, unset by default (nobody as root)', () => {
    expect(loadConfig({}).scriptUser).toBeUndefined();
    expect(loadConfig({ SHIPLINE_SCRIPT_USER: 'deploy' }).scriptUser).toBe('deploy');
    expect(loadConfig({ SHIPLINE_SCRIPT_USER: '1001:1001' }).scriptUser).toBe('1001:1001');
    expect(() => loadConfig({ SHIPLINE_SCRIPT_USER: 'a b' })).toThrow(ConfigError);
  });
});
