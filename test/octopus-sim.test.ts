import { readFileSync } from 'node:fs';
import { Client, DeploymentRepository, ProjectRepository, ReleaseRepository, ServerTaskWaiter } from '@octopusdeploy/api-client';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSeedFile, startOctopusSim } from '../src/simulators/octopus/index.js';
import type { OctopusSim } from '../src/simulators/octopus/index.js';
import { eventually, Sink } from './support/sink.js';

/** The Octopus stand-in, driven as Shipline and the official client drive the real server. */

const FIXTURES = new URL('./support/octopus-sim-fixtures/', import.meta.url);
const UNAUTHORIZED = '{"ErrorMessage":"You must be logged in to perform this action. Please provide a valid API key or log in again."}';

interface Task {
  Id: string;
  State: string;
  IsCompleted: boolean;
  FinishedSuccessfully: boolean;
  ErrorMessage: string;
  StartTime: string | null;
  CompletedTime: string | null;
  Duration: string;
}
interface Deployment {
  Id: string;
  TaskId: string;
  ProjectId: string;
  ReleaseId: string;
  EnvironmentId: string;
  ChannelId: string;
  TenantId: string | null;
  Comments: string | null;
  Created: string;
  Name: string;
  SpaceId: string;
  Links: Record<string, string>;
}
interface Collection<T> {
  ItemType: string;
  TotalResults: number;
  Items: T[];
  Links: Record<string, string>;
}
interface OctopusEvent {
  Id: string;
  Category: string;
  Message: string;
  RelatedDocumentIds: string[];
}
interface Delivered {
  Payload: { Event: OctopusEvent; Subscription: { Id: string }; TotalEventsInBatch: number; ServerUri: string };
}

async function call<T = Record<string, unknown>>(
  sim: OctopusSim,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: headers ?? { 'X-Octopus-ApiKey': sim.apiKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : null) as T };
}

const task = (sim: OctopusSim, id: string) => call<Task>(sim, 'GET', `/api/tasks/${id}`).then((r) => r.body);
const untilState = (sim: OctopusSim, id: string, states: string[]) =>
  eventually(
    async () => {
      const t = await task(sim, id);
      return states.includes(t.State) ? t : undefined;
    },
    10_000,
    `task ${id} in ${states.join('/')}`,
  );
const categoriesOf = (sim: OctopusSim, deploymentId: string) =>
  sim.state.events.filter((e) => e.relatedDocumentIds[0] === deploymentId).map((e) => e.category);
const subscribe = (sim: OctopusSim, name: string, uri: string, extra: Record<string, unknown> = {}) =>
  call<{ Id: string }>(sim, 'POST', '/api/Spaces-1/subscriptions', {
    Name: name,
    EventNotificationSubscription: { WebhookURI: uri, ...extra },
  });
const deploy = (sim: OctopusSim, body: Record<string, unknown> = { ReleaseId: 'Releases-2', EnvironmentId: 'Environments-1' }) =>
  call<Deployment>(sim, 'POST', '/api/Spaces-1/deployments', body);

let sim: OctopusSim;
beforeAll(async () => {
  sim = await startOctopusSim();
});
afterEach(async () => sim.reset());
afterAll(async () => sim.close());

describe('the official @octopusdeploy/api-client against the stand-in', () => {
  it('resolves the space by name, deploys through the executions API and waits for Success', async () => {
    const client = await Client.create({ instanceURL: sim.url, apiKey: sim.apiKey, userAgentApp: 'shipline-test' });
    const projects = await new ProjectRepository(client, 'Default').list({ partialName: 'Web' });
    expect(projects.Items.map((p) => p.Name)).toEqual(['Web']);
    const release = await new ReleaseRepository(client, 'Default').create({ spaceName: 'Default', ProjectName: 'Payments API' });
    expect(release).toEqual({ ReleaseId: 'Releases-5', ReleaseVersion: '2.3.1' });

    const created = await new DeploymentRepository(client, 'Default').create({
      spaceName: 'Default',
      ProjectName: 'Web',
      ReleaseVersion: '1.0.1',
      EnvironmentNames: ['Staging'],
    });
    const [serverTask] = created.DeploymentServerTasks;
    expect(serverTask?.ServerTaskId).toMatch(/^ServerTasks-\d+$/);
    const done = await new ServerTaskWaiter(client, 'Default').waitForServerTaskToComplete(serverTask?.ServerTaskId ?? '', 20, 10_000);
    expect(done).toMatchObject({ State: 'Success', IsCompleted: true, FinishedSuccessfully: true });
    expect(sim.requests('POST', '/api/Spaces-1/deployments/create/untenanted/v1')).toHaveLength(1);
    expect(sim.requests('GET', '/api/Spaces-1/tasks').at(-1)?.query).toMatchObject({
      skip: '0',
      take: '300',
      ids: serverTask?.ServerTaskId,
    });
  });

  it('reports a scripted failure as Failed with the error message', async () => {
    sim.addOutcome({ project: 'Web', environment: 'Production', state: 'Failed', errorMessage: 'step 2 broke', times: 1 });
    const client = await Client.create({ instanceURL: sim.url, apiKey: sim.apiKey, userAgentApp: 'shipline-test' });
    const created = await new DeploymentRepository(client, 'Default').create({
      spaceName: 'Default',
      ProjectName: 'Web',
      ReleaseVersion: '1.0.0',
      EnvironmentNames: ['Production'],
    });
    const taskId = created.DeploymentServerTasks[0]?.ServerTaskId ?? '';
    const done = await new ServerTaskWaiter(client, 'Default').waitForServerTaskToComplete(taskId, 20, 10_000);
    expect(done).toMatchObject({ State: 'Failed', IsCompleted: true, FinishedSuccessfully: false, ErrorMessage: 'step 2 broke' });
  });
});

describe('authentication', () => {
  it('answers 401 with the exact body for a missing or wrong key; GET /api needs none', async () => {
    const missing = await call(sim, 'GET', '/api/Spaces-1/projects/all', undefined, {});
    const wrong = await call(sim, 'GET', '/api/users/me', undefined, { 'X-Octopus-ApiKey': 'API-WRONG' });
    expect([missing.status, missing.text, wrong.status, wrong.text]).toEqual([401, UNAUTHORIZED, 401, UNAUTHORIZED]);
    const root = await call(sim, 'GET', '/api', undefined, {});
    expect(root.body).toMatchObject({
      Application: 'Octopus Deploy',
      Version: '2024.3.12345',
      ApiVersion: '3.0.0',
      InstallationId: '8c6a1f4e-3b0e-4b55-9d3a-6f1c2b7e9a10',
    });
    const viaQuery = await call(sim, 'GET', `/api/users/me?apikey=${sim.apiKey}`, undefined, {});
    expect(viaQuery.body).toMatchObject({ Id: 'Users-1', Username: 'sim-admin', IsService: false, EmailAddress: 'admin@example.com' });
    expect(sim.requests('GET', '/api/users/me').at(-1)?.query.apikey).toBe('API-SIMU');
  });
});

describe('spaces and collections', () => {
  it('serves space-scoped routes under all three prefixes and 404s an unknown space', async () => {
    for (const prefix of ['/api', '/api/Spaces-1', '/api/spaces/Spaces-1']) {
      const all = await call<Array<{ Name: string }>>(sim, 'GET', `${prefix}/projects/all`);
      expect(all.body.map((p) => p.Name)).toEqual(['Web', 'Payments API']);
    }
    const second = await call<Array<{ Name: string }>>(sim, 'GET', '/api/Spaces-2/projects/all');
    expect(second.body.map((p) => p.Name)).toEqual(['Inventory']);
    const unknown = await call(sim, 'GET', '/api/Spaces-9/projects/all');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ ErrorMessage: expect.any(String), Errors: [expect.any(String)] });
  });

  it('pages with skip/take and a Page.Next link only when there is a next page', async () => {
    const first = await call<Collection<{ Version: string }>>(sim, 'GET', '/api/Spaces-1/projects/Projects-1/releases?take=1');
    expect(first.body).toMatchObject({ ItemType: 'Release', TotalResults: 2, Items: [{ Version: '1.0.1' }] });
    expect(first.body.Links['Page.Next']).toBe('/api/Spaces-1/projects/Projects-1/releases?skip=1&take=1');
    const last = await call<Collection<{ Version: string }>>(sim, 'GET', '/api/Spaces-1/projects/Projects-1/releases?skip=1&take=1');
    expect(last.body.Items.map((r) => r.Version)).toEqual(['1.0.0']);
    expect(last.body.Links['Page.Next']).toBeUndefined();
  });
});

describe('injected faults', () => {
  it('fails the next matching calls with a status or a dropped connection, then lets calls through', async () => {
    const created = await call<Deployment>(sim, 'POST', '/api/Spaces-1/deployments', {
      ReleaseId: 'Releases-2',
      EnvironmentId: 'Environments-1',
    });
    const added = await call(sim, 'POST', '/_sim/faults', { path: '/api/tasks/*', status: 503, retryAfterSeconds: 2, times: 2 });
    expect(added.status).toBe(201);
    await call(sim, 'POST', '/_sim/faults', { path: '/api/tasks/*', drop: true });
    const first = await fetch(`${sim.url}/api/tasks/${created.body.TaskId}`, { headers: { 'X-Octopus-ApiKey': sim.apiKey } });
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '2']);
    expect(await first.json()).toMatchObject({ ErrorMessage: expect.any(String) });
    expect((await call(sim, 'GET', `/api/tasks/${created.body.TaskId}`)).status).toBe(503);
    await expect(fetch(`${sim.url}/api/tasks/${created.body.TaskId}`, { headers: { 'X-Octopus-ApiKey': sim.apiKey } })).rejects.toThrow();
    expect((await call(sim, 'GET', `/api/tasks/${created.body.TaskId}`)).status).toBe(200);
    // Other methods and paths were never affected; the log shows the dropped call as status 0.
    expect(sim.requests('GET', '/api/tasks/*').map((r) => r.status)).toEqual([503, 503, 0, 200]);
    expect((await call(sim, 'GET', '/_sim/faults')).body).toEqual({ faults: [] });
    expect((await call(sim, 'POST', '/_sim/faults', { path: '/api/tasks/*', status: 200 })).status).toBe(400);
  });

  it('answers a call late with delayMs, having carried it out at once', async () => {
    expect((await call(sim, 'POST', '/_sim/faults', { method: 'POST', path: '*/deployments', delayMs: 1_000 })).status).toBe(201);
    const before = sim.state.deployments.length;
    let answered = false;
    const answer = call<Deployment>(sim, 'POST', '/api/Spaces-1/deployments', {
      ReleaseId: 'Releases-2',
      EnvironmentId: 'Environments-1',
    }).then((res) => {
      answered = true;
      return res;
    });
    await eventually(async () => (sim.state.deployments.length === before + 1 ? true : undefined), 5_000, 'the deployment');
    expect(answered).toBe(false);
    const res = await answer;
    expect(res.status).toBe(201);
    expect(res.body.Id).toBe(sim.state.deployments.at(-1)!.id);
    expect((await call(sim, 'POST', '/_sim/faults', { path: '/x', delayMs: 60_001 })).status).toBe(400);
  });
});

describe('classic deployments and the task lifecycle', () => {
  it('creates a deployment (201, case-insensitive keys) that runs Queued → Executing → Success', async () => {
    sim.addOutcome({ state: 'Manual', times: 1 });
    const created = await deploy(sim, {
      releaseid: 'Releases-2',
      ENVIRONMENTID: 'Environments-3',
      comments: 'shipline:run-42',
      Unknown: 1,
    });
    expect(created.status).toBe(201);
    const d = created.body;
    expect(d).toMatchObject({
      Id: 'Deployments-1',
      TaskId: 'ServerTasks-1',
      ProjectId: 'Projects-1',
      ReleaseId: 'Releases-2',
      EnvironmentId: 'Environments-3',
      ChannelId: 'Channels-1',
      TenantId: null,
      Comments: 'shipline:run-42',
      Name: 'Deploy to Production',
      SpaceId: 'Spaces-1',
    });
    expect(d.Links).toMatchObject({
      Self: '/api/Spaces-1/deployments/Deployments-1',
      Task: '/api/tasks/ServerTasks-1',
      Web: '/app#/Spaces-1/deployments/Deployments-1',
    });
    expect(d.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);

    const running = await untilState(sim, d.TaskId, ['Executing']);
    expect(running).toMatchObject({ IsCompleted: false, CompletedTime: null });
    expect(running.StartTime).not.toBeNull();
    expect((await call(sim, 'POST', `/_sim/tasks/${d.TaskId}/complete`, { state: 'Success' })).status).toBe(200);
    expect(await task(sim, d.TaskId)).toMatchObject({
      State: 'Success',
      IsCompleted: true,
      FinishedSuccessfully: true,
      Duration: expect.stringMatching(/^\d+ seconds?$/),
    });
    expect(categoriesOf(sim, d.Id)).toEqual(['DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);

    const byRelease = await call<Collection<Deployment>>(sim, 'GET', '/api/Spaces-1/releases/Releases-2/deployments');
    expect(byRelease.body.Items.map((x) => x.Comments)).toEqual(['shipline:run-42']);
  });

  it('answers 400 with an ErrorMessage for an unknown release or environment', async () => {
    for (const body of [
      { ReleaseId: 'Releases-99', EnvironmentId: 'Environments-1' },
      { ReleaseId: 'Releases-1', EnvironmentId: 'Environments-99' },
    ]) {
      const res = await deploy(sim, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ErrorMessage: expect.stringContaining('could not be found') });
    }
  });

  it('cancels: Cancelling, then Canceled, reported as DeploymentFailed', async () => {
    sim.addOutcome({ state: 'Manual', times: 1 });
    const d = (await deploy(sim)).body;
    const cancelled = await call<Task>(sim, 'POST', `/api/tasks/${d.TaskId}/cancel`);
    expect(cancelled.body.State).toBe('Cancelling');
    expect(await untilState(sim, d.TaskId, ['Canceled'])).toMatchObject({ IsCompleted: true, FinishedSuccessfully: false });
    expect(categoriesOf(sim, d.Id).at(-1)).toBe('DeploymentFailed');
  });

  it('reports a scripted TimedOut as DeploymentFailed, with the message template', async () => {
    sim.addOutcome({ release: '1.0.1', state: 'TimedOut', executingMs: 5, times: 1 });
    const d = (await deploy(sim)).body;
    expect((await untilState(sim, d.TaskId, ['TimedOut'])).IsCompleted).toBe(true);
    const failed = sim.state.events.find((e) => e.category === 'DeploymentFailed');
    expect(failed?.message).toBe('Deploy to Development failed for Web release 1.0.1 to Development');
    expect(failed?.relatedDocumentIds).toEqual([
      'Deployments-1',
      'Projects-1',
      'Releases-2',
      'Environments-1',
      'ServerTasks-1',
      'Channels-1',
    ]);
  });

  it('auto-increments a release version and rejects a duplicate like Octopus', async () => {
    const created = await call<{ Version: string }>(sim, 'POST', '/api/Spaces-1/releases', { projectid: 'Projects-1' });
    expect([created.status, created.body.Version]).toEqual([201, '1.0.2']);
    const dup = await call(sim, 'POST', '/api/Spaces-1/releases', { ProjectId: 'Projects-1', Version: '1.0.2' });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      ErrorMessage: 'There was a problem with your request.',
      Errors: [expect.stringContaining("'1.0.2' already exists")],
    });
    expect(sim.state.events.map((e) => e.category)).toEqual(['ReleaseCreated']);
  });
});

describe('subscriptions', () => {
  it('has Octopus status codes: POST 201, GET/PUT 200, DELETE 200 {}, unknown 404, duplicate name 400', async () => {
    const created = await subscribe(sim, 'Shipline', 'http://127.0.0.1:9/hook', {
      WebhookHeaderKey: 'X-Token',
      WebhookHeaderValue: 'plain',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      Id: 'Subscriptions-1',
      Type: 'Event',
      IsDisabled: false,
      SpaceId: 'Spaces-1',
      EventNotificationSubscription: {
        WebhookTimeout: '00:00:10',
        WebhookHeaderValue: 'plain',
        Filter: { EventCategories: [], Projects: [], DocumentTypes: [] },
      },
    });
    expect((await subscribe(sim, 'shipline', 'http://127.0.0.1:9/other')).status).toBe(400);
    const path = '/api/Spaces-1/subscriptions/Subscriptions-1';
    const put = await call(sim, 'PUT', path, { ...created.body, IsDisabled: true });
    expect([put.status, put.body.IsDisabled]).toEqual([200, true]);
    expect((await call(sim, 'GET', path)).status).toBe(200);
    expect((await call<unknown[]>(sim, 'GET', '/api/Spaces-1/subscriptions/all')).body).toHaveLength(1);
    const deleted = await call(sim, 'DELETE', path);
    expect([deleted.status, deleted.text]).toEqual([200, '{}']);
    expect((await call(sim, 'GET', path)).status).toBe(404);
  });

  it('takes WebhookHeaderValue as a sensitive object and never shows it back in sensitive mode', async () => {
    await call(sim, 'PUT', '/_sim/delivery', { sensitiveHeaderValues: true });
    const created = await subscribe(sim, 'Sensitive', 'http://127.0.0.1:9/hook', {
      WebhookHeaderKey: 'X-Token',
      WebhookHeaderValue: { HasValue: true, NewValue: 's3cret' },
    });
    const shown = { HasValue: true, NewValue: null, Hint: null };
    expect(created.body).toMatchObject({ EventNotificationSubscription: { WebhookHeaderValue: shown } });
    await call(sim, 'PUT', `/api/Spaces-1/subscriptions/${created.body.Id}`, created.body);
    expect(sim.state.subscriptions[0]?.webhookHeaderValue).toBe('s3cret');
    const wrapped = await subscribe(sim, 'Wrapped', 'http://127.0.0.1:9/hook', {
      WebhookHeaderValue: { IsSensitive: true, SensitiveValue: { HasValue: true, NewValue: 'w' } },
    });
    expect(JSON.stringify(wrapped.body)).not.toContain('"w"');
    expect(sim.state.subscriptions[1]?.webhookHeaderValue).toBe('w');
  });
});

describe('webhook delivery', () => {
  let sink: Sink;
  beforeAll(async () => {
    sink = await new Sink().start();
  });
  afterEach(() => {
    sink.requests.length = 0;
    sink.reply = () => ({ status: 200, body: '{}' });
  });
  afterAll(async () => sink.close());
  const payloads = (path = '/hook') => sink.requests.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as Delivered);
  const got =
    (category: string, path = '/hook') =>
    () =>
      payloads(path).some((p) => p.Payload.Event.Category === category);

  it('POSTs the real payload shape for Queued, Started and Succeeded, with the custom header', async () => {
    await subscribe(sim, 'All', `${sink.url}/hook`, { WebhookHeaderKey: 'X-Shipline-Token', WebhookHeaderValue: 'tok' });
    const d = (await deploy(sim)).body;
    await sink.waitFor(got('DeploymentSucceeded'));
    expect(payloads().map((p) => p.Payload.Event.Category)).toEqual(['DeploymentQueued', 'DeploymentStarted', 'DeploymentSucceeded']);
    expect(sink.requests.every((r) => r.headers['x-shipline-token'] === 'tok' && r.headers['content-type'] === 'application/json')).toBe(
      true,
    );
    const [queued, started] = payloads();
    expect(queued?.Payload.Event.Message).toMatch(
      /^Scheduled to deploy Web release 1\.0\.1 to Development at \w+day, \d\d \w+ \d{4} \d+:\d\d [AP]M \+00:00$/,
    );
    expect(started?.Payload.Event.RelatedDocumentIds).toEqual([d.Id, 'Projects-1', 'Releases-2', 'Environments-1', d.TaskId, 'Channels-1']);
    expect(started?.Payload).toMatchObject({ ServerUri: sim.url, TotalEventsInBatch: 1, Subscription: { Id: 'Subscriptions-1' } });

    // Same keys at every level as the real captures (2023 exactly; older ones had fewer Event keys).
    const real = (year: string) => parseYaml(readFileSync(new URL(`webhook-payload-${year}.yaml`, FIXTURES), 'utf8'));
    const keys = (o: unknown) => Object.keys(o as object).sort();
    const [r2023, r2019, r2016] = ['2023', '2019', '2016'].map(real);
    for (const sent of payloads() as unknown as Array<typeof r2023>) {
      expect(keys(sent)).toEqual(keys(r2023));
      expect(keys(sent.Payload)).toEqual(keys(r2023.Payload));
      expect(keys(sent.Payload)).toEqual(keys(r2019.Payload));
      expect(keys(sent.Payload.Event)).toEqual(keys(r2023.Payload.Event));
      for (const old of [r2019, r2016]) expect(keys(sent.Payload.Event)).toEqual(expect.arrayContaining(keys(old.Payload.Event)));
      expect(keys(sent.Payload.Event.MessageReferences[0])).toEqual(keys(r2023.Payload.Event.MessageReferences[0]));
      expect(keys(sent.Payload.Subscription)).toEqual(keys(r2023.Payload.Subscription));
      const ens = sent.Payload.Subscription.EventNotificationSubscription;
      expect(keys(ens)).toEqual(keys(r2023.Payload.Subscription.EventNotificationSubscription));
      expect(keys(ens.Filter)).toEqual(keys(r2023.Payload.Subscription.EventNotificationSubscription.Filter));
    }
  });

  it('aborts the rest of a batch on a 500 and delivers those events in a later batch', async () => {
    const batched = await startOctopusSim({ batchIntervalMs: 3_600_000 });
    try {
      await subscribe(batched, 'Batched', `${sink.url}/hook`);
      for (const category of ['MachineAdded', 'MachineHealthy', 'MachineUnhealthy']) batched.recordEvent({ category });
      sink.reply = (_req, index) => ({ status: index === 0 ? 500 : 200 });
      await call(batched, 'POST', '/_sim/delivery/flush');
      await eventually(async () => (batched.deliveries().length === 1 ? true : undefined), 5_000, 'the failed first POST');
      expect(batched.deliveries()[0]).toMatchObject({ status: 500, attempt: 1 });
      await call(batched, 'POST', '/_sim/delivery/flush');
      await eventually(async () => (batched.deliveries().length === 4 ? true : undefined), 5_000, 'the second batch');
      const retried = payloads().slice(1);
      expect(retried.map((p) => p.Payload.Event.Category)).toEqual(['MachineAdded', 'MachineHealthy', 'MachineUnhealthy']);
      expect(retried.every((p) => p.Payload.TotalEventsInBatch === 3)).toBe(true);
      expect(batched.deliveries().map((x) => x.attempt)).toEqual([1, 2, 1, 1]);
    } finally {
      await batched.close();
    }
  });

  it('drops the next delivery and dropped categories, so pollers are exercised', async () => {
    await subscribe(sim, 'Dropping', `${sink.url}/hook`);
    await call(sim, 'PUT', '/_sim/delivery', { drop: 1, dropCategories: ['DeploymentStarted'] });
    await deploy(sim);
    await sink.waitFor(got('DeploymentSucceeded'));
    expect(payloads().map((p) => p.Payload.Event.Category)).toEqual(['DeploymentSucceeded']);
    expect(
      sim
        .deliveries()
        .filter((x) => x.error === 'dropped')
        .map((x) => x.category),
    ).toEqual(['DeploymentQueued', 'DeploymentStarted']);
    expect((await call(sim, 'GET', '/_sim/delivery')).body).toMatchObject({ drop: false });
  });

  it('delivers each event twice with the same Event.Id when duplicate is on', async () => {
    await subscribe(sim, 'Twice', `${sink.url}/hook`, { Filter: { EventCategories: ['MachineAdded'] } });
    await call(sim, 'PUT', '/_sim/delivery', { duplicate: true });
    const event = await call<{ Id: string }>(sim, 'POST', '/_sim/events', { category: 'MachineAdded' });
    await sink.waitFor((reqs) => reqs.length === 2);
    expect(payloads().map((p) => p.Payload.Event.Id)).toEqual([event.body.Id, event.body.Id]);
  });

  it('respects the EventCategories filter (and Environments, AND-ed)', async () => {
    await subscribe(sim, 'Everything', `${sink.url}/all`);
    await subscribe(sim, 'Succeeded in Development', `${sink.url}/some`, {
      Filter: { EventCategories: ['DeploymentSucceeded', 'DeploymentFailed'], Environments: ['Environments-1'] },
    });
    await deploy(sim, { ReleaseId: 'Releases-2', EnvironmentId: 'Environments-3' });
    await deploy(sim, { ReleaseId: 'Releases-2', EnvironmentId: 'Environments-1' });
    await sink.waitFor(() => payloads('/all').length === 6 && payloads('/some').length >= 1);
    expect(payloads('/some').map((p) => [p.Payload.Event.Category, p.Payload.Event.RelatedDocumentIds[3]])).toEqual([
      ['DeploymentSucceeded', 'Environments-1'],
    ]);
  });
});

describe('seed files', () => {
  it('loads a YAML seed with tenants and words tenanted deployments like Octopus', async () => {
    const seeded = await startOctopusSim({ seed: loadSeedFile(new URL('tenanted.yaml', FIXTURES).pathname) });
    try {
      expect(seeded.state.environments.map((e) => e.id)).toEqual(['Environments-1', 'Environments-2']);
      const d = await call<Deployment>(seeded, 'POST', '/api/Spaces-1/deployments', {
        ReleaseId: 'Releases-1',
        EnvironmentId: 'Environments-2',
        TenantId: 'Tenants-1',
      });
      expect(d.body).toMatchObject({ Name: 'Deploy to Production for Acme', TenantId: 'Tenants-1' });
      await untilState(seeded, d.body.TaskId, ['Success']);
      const started = seeded.state.events.find((e) => e.category === 'DeploymentStarted');
      expect(started?.message).toBe('Deploy to Production for Acme started for Portal release 3.1.0 to Production for Acme');
      expect(started?.relatedDocumentIds).toEqual([
        d.body.Id,
        'Projects-1',
        'Releases-1',
        'Environments-2',
        'Tenants-1',
        d.body.TaskId,
        'Channels-1',
      ]);
    } finally {
      await seeded.close();
    }
  });
});
