import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionWithSecrets } from '../../core/connection.js';
import type { StoredWebhook } from '../connection-type.js';
import { githubConnection } from './index.js';

// The connection type's webhook, as Shipline stores its deliveries.
const webhook = githubConnection.webhook as StoredWebhook;
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const json = (name: string) => JSON.parse(fixture(name).toString()) as Record<string, unknown>;

const connection = (webhookSecret?: string): ConnectionWithSecrets => ({
  id: 'c1',
  name: 'github',
  type: 'github',
  config: {},
  secrets: { token: 't', ...(webhookSecret ? { webhookSecret } : {}) },
  state: {},
  endpointId: 'e',
  createdAt: '',
  updatedAt: '',
});

// GitHub's published test vector (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
const VECTOR_SECRET = "It's a Secret to Everybody";
const VECTOR_BODY = Buffer.from('Hello, World!');
const VECTOR_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
// `openssl dgst -sha256 -hmac gh-webhook-secret` over the fixture's bytes.
const FIXTURE_SECRET = 'gh-webhook-secret';
const FIXTURE_SIGNATURE = 'sha256=b02f23b7ac7c6cfa4c92a46888e867e225ab7818e13c1412f18fbad41f7817ca';

const headers = (event: string, extra: Record<string, string> = {}) => ({
  'x-github-event': event,
  'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  ...extra,
});

describe('GitHub webhook signatures', () => {
  it("accepts GitHub's test vector and a signed fixture", () => {
    expect(webhook.verify(connection(VECTOR_SECRET), { 'x-hub-signature-256': VECTOR_SIGNATURE }, VECTOR_BODY)).toBeNull();
    expect(
      webhook.verify(connection(FIXTURE_SECRET), { 'x-hub-signature-256': FIXTURE_SIGNATURE }, fixture('deployment-status-success.json')),
    ).toBeNull();
  });

  it('refuses a wrong signature or secret', () => {
    const wrong = VECTOR_SIGNATURE.replace(/7$/, '8');
    expect(webhook.verify(connection(VECTOR_SECRET), { 'x-hub-signature-256': wrong }, VECTOR_BODY)).toMatch(/does not match/);
    expect(webhook.verify(connection('another secret'), { 'x-hub-signature-256': VECTOR_SIGNATURE }, VECTOR_BODY)).toMatch(
      /does not match/,
    );
    expect(webhook.verify(connection(VECTOR_SECRET), { 'x-hub-signature-256': 'sha256=abc' }, VECTOR_BODY)).toMatch(
      /not sha256=<64 hex digits>/,
    );
    // The legacy SHA-1 header alone is not enough.
    expect(
      webhook.verify(connection(VECTOR_SECRET), { 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' }, VECTOR_BODY),
    ).toBe('missing X-Hub-Signature-256 header');
  });

  it('refuses a delivery without the header', () => {
    expect(webhook.verify(connection(VECTOR_SECRET), {}, VECTOR_BODY)).toBe('missing X-Hub-Signature-256 header');
  });

  it('refuses a tampered body', () => {
    expect(webhook.verify(connection(VECTOR_SECRET), { 'x-hub-signature-256': VECTOR_SIGNATURE }, Buffer.from('Hello, World?'))).toMatch(
      /does not match/,
    );
    const tampered = Buffer.from(fixture('deployment-status-success.json').toString().replace('"state": "success"', '"state": "failure"'));
    expect(webhook.verify(connection(FIXTURE_SECRET), { 'x-hub-signature-256': FIXTURE_SIGNATURE }, tampered)).toMatch(/does not match/);
  });

  it('refuses everything when no secret is stored', () => {
    expect(webhook.verify(connection(), { 'x-hub-signature-256': VECTOR_SIGNATURE }, VECTOR_BODY)).toMatch(/no webhookSecret/);
  });
});

describe('GitHub webhook events', () => {
  it('makes github.<event>.<action> with the delivery, repository and sender', () => {
    const body = json('deployment-status-success.json');
    expect(webhook.events(connection(), body, headers('deployment_status'))).toEqual([
      {
        type: 'github.deployment_status.created',
        sourceKey: 'github:72d3162e-cc78-11e3-81ab-4c9367dc0958',
        data: {
          event: 'deployment_status',
          action: 'created',
          delivery: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
          repository: 'acme/api',
          sender: 'octocat',
          payload: body,
        },
      },
    ]);
  });

  it('makes github.<event> when the payload has no action', () => {
    const [event] = webhook.events(connection(), json('push.json'), headers('push'));
    expect(event).toMatchObject({ type: 'github.push', data: { event: 'push', action: null, repository: 'acme/api', sender: 'octocat' } });
  });

  it('makes nothing of a ping', () => {
    expect(webhook.events(connection(), json('ping.json'), headers('ping'))).toEqual([]);
    expect(webhook.deploys!(connection(), json('ping.json'), headers('ping'))).toEqual([]);
  });
});

describe('GitHub deployments in the catalog', () => {
  it('records a successful deployment_status as a succeeded deploy', () => {
    expect(webhook.deploys!(connection(), json('deployment-status-success.json'), headers('deployment_status'))).toEqual([
      {
        dedupId: 'github:186853002:145988746',
        status: 'succeeded',
        input: {
          service: 'api',
          description: 'GitHub deployment 145988746 of acme/api to production: success',
          deployedAt: '2025-03-01T12:03:12Z',
          environment: 'production',
          deployUrl: 'https://github.com/acme/api/actions/runs/88',
          deployNumber: 'main',
          deployer: { id: null, email: null, name: 'octocat' },
          commit: {
            sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
            message: null,
            branch: null,
            date: null,
            committerName: null,
            committerEmail: null,
            authorName: null,
            authorEmail: null,
            authoringDate: null,
          },
        },
      },
    ]);
  });

  it("records failure and error as failed, keeps the status's own description and target_url, and shortens a SHA ref", () => {
    const body = json('deployment-status-success.json') as {
      deployment_status: Record<string, unknown>;
      deployment: Record<string, unknown>;
    };
    body.deployment_status.state = 'failure';
    body.deployment_status.description = 'Smoke tests failed';
    body.deployment_status.target_url = 'https://ci.example/run/89';
    body.deployment.ref = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
    const [deploy] = webhook.deploys!(connection(), body, headers('deployment_status'));
    expect(deploy).toMatchObject({
      dedupId: 'github:186853002:145988746',
      status: 'failed',
      input: { description: 'Smoke tests failed', deployUrl: 'https://ci.example/run/89', deployNumber: 'f95f852' },
    });
    body.deployment_status.state = 'error';
    expect(webhook.deploys!(connection(), body, headers('deployment_status'))[0]?.status).toBe('failed');
  });

  it('records nothing for unfinished states or other events', () => {
    const body = json('deployment-status-success.json') as { deployment_status: Record<string, unknown> };
    for (const state of ['queued', 'pending', 'in_progress', 'inactive']) {
      body.deployment_status.state = state;
      expect(webhook.deploys!(connection(), body, headers('deployment_status'))).toEqual([]);
    }
    expect(webhook.deploys!(connection(), json('deployment-status-success.json'), headers('deployment'))).toEqual([]);
    expect(webhook.deploys!(connection(), json('push.json'), headers('push'))).toEqual([]);
  });
});
