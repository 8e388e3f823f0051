import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
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

  it('reads SHIPLINE_TRUST_PROXY as a flag, a hop count or the proxies\' addresses, trusting none by default', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ SHIPLINE_TRUST_PROXY: ' 10.0.0.1, 192.168.0.0/16,::1,fd00::/8 ,loopback' }).trustProxy)
      .toEqual(['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback']);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0.1,proxy.internal', '::1/129', ',', '1.2.3.4/8/8']) {
      expect(() => loadConfig({ SHIPLINE_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  it('documents every setting in the README', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const setting of SETTINGS) expect(readme, setting.env).toContain(`\`${setting.env}\``);
  });
});
