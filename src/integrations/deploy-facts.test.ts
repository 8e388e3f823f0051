import { describe, expect, it } from 'vitest';
import { sampleEvent } from './action-context.test-support.js';
import { deployFacts, deployView, summary, viewOf } from './deploy-facts.js';
import { deployMessage, escapeMrkdwn } from './slack/message.js';
import { deployRecorded, octopusFailed, octopusFinishedOutput } from './slack/events.test-support.js';

describe('the deploy view', () => {
  it('reads a deploy.recorded deploy', () => {
    expect(viewOf(deployRecorded())).toEqual({
      service: 'checkout',
      environment: 'production',
      version: '1.4.2',
      status: 'succeeded',
      deployer: 'Alice Liddell',
      commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      commitMessage: 'Fix rounding in totals\n\nLonger body',
      commitUrl: null,
      url: 'https://ci.example.com/runs/88',
    });
  });

  it('reads an Octopus deployment event, names first, and builds the deployment link', () => {
    const view = viewOf(octopusFailed());
    expect(view).toMatchObject({ service: 'Argo CD Octopub', environment: 'Production', version: '0.1.178', status: 'failed' });
    expect(view.url).toBe('https://acme.octopus.app/app#/Spaces-1/deployments/Deployments-12519');
    const data = { ...(octopusFailed().data as Record<string, unknown>), projectName: undefined, spaceId: undefined };
    expect(viewOf({ type: 'octopus.deployment.started', data: { ...data, category: 'DeploymentStarted' } })).toMatchObject({
      service: 'Projects-4522',
      status: 'started',
      url: 'https://acme.octopus.app/app#/deployments/Deployments-12519',
    });
  });

  it('reads the Octopus user as the deployer, and Octopus times in UTC, also of events stored with an offset', () => {
    const event = octopusFailed();
    const data = { ...(event.data as Record<string, unknown>), username: 'jane.doe', occurredAt: '2026-03-02T09:14:07.1234567+10:00' };
    expect(viewOf({ ...event, data }).deployer).toBe('jane.doe');
    expect(deployFacts({ ...event, data })).toMatchObject({ user: 'jane.doe', at: '2026-03-01T23:14:07.123Z' });
  });

  it('reads octopus.deployRelease output, and fields of any event by name', () => {
    expect(viewOf(octopusFinishedOutput())).toMatchObject({
      service: 'Projects-123',
      status: 'succeeded',
      url: expect.stringContaining('Deployments-1011'),
    });
    expect(viewOf({ ...octopusFinishedOutput(), data: { ...octopusFinishedOutput().data, taskState: 'Canceled' } }).status).toBe('failed');
    expect(viewOf(sampleEvent)).toMatchObject({ service: 'checkout', environment: 'production', status: null });
  });

  it('lets deploy.from and explicit fields override the event, but not a name with an id', () => {
    const view = deployView(octopusFailed(), { from: JSON.stringify(octopusFinishedOutput()), version: '2.0.0' }, 'test');
    expect(view).toMatchObject({ service: 'Argo CD Octopub', environment: 'Production', version: '2.0.0', status: 'succeeded' });
    expect(deployView(octopusFailed(), { status: 'Success' }, 'test').status).toBe('succeeded');
    expect(deployView(octopusFailed(), { status: 'TimedOut' }, 'test').status).toBe('failed');
    expect(deployView(octopusFailed(), { status: 'in progress' }, 'test').status).toBe('started');
    expect(deployView(octopusFailed(), { status: 'paused' }, 'test').status).toBe('paused');
  });

  it('says how to pass an object when deploy.from is not JSON', () => {
    expect(() => deployView(sampleEvent, { from: '[object Object]' }, 'slack.postMessage')).toThrow(/json filter/);
    expect(() => deployView(sampleEvent, { from: '[1]' }, 'slack.postMessage')).toThrow(/JSON object, not a list/);
  });

  it('summarises each status in one line', () => {
    const base = viewOf(deployRecorded());
    expect(summary({ ...base, status: 'queued' })).toBe('checkout 1.4.2 is queued for production');
    expect(summary({ ...base, status: 'started' })).toBe('Deploying checkout 1.4.2 to production');
    expect(summary({ ...base, status: 'failed' })).toBe('checkout 1.4.2 failed to deploy to production');
    expect(summary({ ...base, status: 'rolled back' })).toBe('checkout 1.4.2 → production: rolled back');
  });
});

describe('the Slack deploy layout', () => {
  it('escapes mrkdwn, keeps within Block Kit limits and links the commit when a URL is known', () => {
    const view = { ...viewOf(deployRecorded()), service: '<b>&co', commitUrl: 'https://git.example/c/f95f852', deployer: 'x'.repeat(5000) };
    const message = deployMessage(view, {});
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(message.text).toBe('&lt;b&gt;&amp;co 1.4.2 deployed to production');
    const fields = (message.attachments![0] as { blocks: Array<{ fields: Array<{ text: string }> }> }).blocks[0]!.fields.map((f) => f.text);
    expect(fields).toContain('*Commit*\n<https://git.example/c/f95f852|f95f852> Fix rounding in totals');
    expect(fields.every((f) => f.length <= 2000)).toBe(true);
  });

  it('uses a neutral colour and no emoji for an unknown status', () => {
    const message = deployMessage({ ...viewOf(sampleEvent), status: 'paused' }, {});
    expect((message.attachments![0] as { color: string }).color).toBe('#A0A0A0');
    expect((message.blocks![0] as { text: { text: string } }).text.text).toBe('*checkout → production: paused*');
  });
});
