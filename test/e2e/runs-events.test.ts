import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Sink } from '../support/sink.js';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

const READER = { email: 'reader@example.com', name: 'Reader', password: 'reading is not writing' };

describe.skipIf(!HAS_CHROMIUM)('web UI: runs and events', () => {
  let bed: UiTestBed;
  let sink: Sink;

  beforeAll(async () => {
    sink = await new Sink().start();
    sink.reply = (request) =>
      request.path === '/broken'
        ? { status: 500, body: 'the receiver is down' }
        : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    bed = await startUiTestBed();
    await bed.shipline.store.users.create({ email: READER.email, name: READER.name, role: 'read', password: READER.password });
    await bed.shipline.applyReaction({
      name: 'ship-approval',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'approval-svc' } },
      steps: {
        approve: { uses: 'approval', with: { message: 'Ship {{ data.serviceAlias }} to {{ data.environment }}?' } },
        notify: {
          after: { step: 'approve', channel: 'approved' },
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/notify`, body: { service: '{{ data.serviceAlias }}' } },
        },
        withdraw: {
          after: { step: 'approve', channel: 'rejected' },
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/withdraw`, body: { service: '{{ data.serviceAlias }}' } },
        },
      },
    });
    await bed.shipline.applyReaction({
      name: 'failing-hook',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'fail-svc' } },
      steps: {
        call: {
          uses: 'http.request',
          with: { method: 'POST', url: `${sink.url}/broken`, body: { n: 1 } },
          retry: { attempts: 2, backoff: 'fixed', initial: '20ms' },
        },
      },
    });
    await bed.shipline.applyReaction({
      name: 'record-hook',
      on: { event: 'deploy.recorded', filter: { serviceAlias: 'events-svc' } },
      steps: {
        record: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/record`, body: { service: '{{ data.serviceAlias }}' } } },
      },
    });
    await bed.shipline.applyReaction({
      name: 'octopus-audit',
      on: { event: 'octopus.deployment.*' },
      steps: { log: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/audit`, body: { n: 1 } } } },
    });
  });
  afterAll(async () => {
    await bed?.close();
    await sink?.close();
  });

  async function openRunOf(page: Page, reaction: string) {
    await page.goto(`/runs?reaction=${reaction}`);
    await page
      .getByRole('link', { name: new RegExp(`^Run \\w+ of ${reaction}$`) })
      .first()
      .click();
    await page.waitForURL('**/runs/*');
  }

  it('approves a waiting approval and watches the run succeed', async () => {
    await bed.shipline.ingest({ service: 'approval-svc', dedup_id: 'approve-1' });
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/runs');
    await page
      .getByRole('table', { name: 'Runs' })
      .getByRole('row', { name: /ship-approval/ })
      .waitFor();
    await bed.screenshot(page, 'runs');

    await page.getByRole('link', { name: /^Run \w+ of ship-approval$/ }).click();
    await page.waitForURL('**/runs/*');
    const approval = page.getByRole('region', { name: 'Step approve is waiting for approval' });
    await approval.getByText('Ship approval-svc to Production?').waitFor();
    await page.getByRole('button', { name: 'Step approve: waiting for approval' }).waitFor();
    await page.getByRole('button', { name: 'Step notify: not reached' }).waitFor();
    await page.getByText('Live: refreshing').waitFor();
    await bed.screenshot(page, 'run');

    await approval.getByLabel(/Comment/).fill('looks good');
    await approval.getByRole('button', { name: 'Approve' }).click();
    const summary = page.getByRole('region', { name: 'Run summary' });
    await summary.getByText('succeeded', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Step notify: succeeded' }).waitFor();
    await page.getByRole('button', { name: 'Step withdraw: not reached' }).waitFor();
    await page.locator('.page-header').getByText('Finished', { exact: true }).waitFor();
    expect(await approval.count()).toBe(0);
    expect(sink.requests.filter((r) => r.path === '/notify').map((r) => JSON.parse(r.body))).toEqual([{ service: 'approval-svc' }]);

    // The approval step's details record the decision.
    await page.getByRole('button', { name: 'Step approve: succeeded' }).click();
    await page
      .getByLabel('Log of step approve')
      .getByText(/approved by ada@example.com: looks good/)
      .waitFor();
  });

  it("shows a failed step's error and retries it", async () => {
    await bed.shipline.ingest({ service: 'fail-svc', dedup_id: 'fail-1' });
    await bed.shipline.runReaching({ reaction: 'failing-hook' }, ['failed']);
    const page = await bed.newPage();
    await bed.signIn(page);
    await openRunOf(page, 'failing-hook');
    await page.getByRole('region', { name: 'Run summary' }).getByText('step call failed').waitFor();
    await page.getByRole('heading', { name: 'Step call' }).waitFor();
    await page
      .getByRole('alert')
      .getByText(/responded HTTP 500: the receiver is down/)
      .waitFor();
    expect(await page.getByRole('table', { name: 'Attempts of step call' }).getByRole('row').count()).toBe(3);

    // The receiver recovers; the retry runs the failed step again and the run succeeds.
    sink.reply = () => ({ status: 200, body: 'ok' });
    await page.getByRole('button', { name: 'Retry failed step' }).click();
    await page.getByRole('region', { name: 'Run summary' }).getByText('succeeded', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Step call: succeeded' }).waitFor();
    expect(await page.getByRole('button', { name: /Retry failed/ }).count()).toBe(0);
  });

  it('shows a deploy event live, then its JSON, the reactions it matched with their runs, and why the others did not', async () => {
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/events');
    await page.locator('.live-dot[data-state="live"]').waitFor();
    await bed.shipline.ingest({ service: 'events-svc', dedup_id: 'events-1' });
    const row = page.getByRole('table', { name: 'Events' }).getByRole('row', { name: /events-svc → Production/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('deploy.recorded');

    await row.getByRole('link').click();
    await page.waitForURL('**/events/*');
    await page.getByRole('heading', { name: 'deploy.recorded' }).waitFor();
    await page
      .getByLabel('The event as JSON')
      .getByText(/"serviceAlias": "events-svc"/)
      .waitFor();
    const matched = page.getByRole('table', { name: 'Reactions that match this event' }).getByRole('row', { name: /record-hook/ });
    await matched.getByRole('link', { name: /^Run \w+, (queued|running|succeeded)$/ }).waitFor();
    const unmatched = page.getByRole('table', { name: 'Reactions that do not match this event' });
    await unmatched
      .getByRole('row', { name: /octopus-audit/ })
      .getByText('event type deploy.recorded does not match octopus.deployment.*')
      .waitFor();
    // The filter key that refused, with what it accepts and what this event holds.
    const refused = unmatched.getByRole('row', { name: /ship-approval/ });
    await refused.getByText('on.filter.serviceAlias accepts "approval-svc", but the event has serviceAlias "events-svc"').waitFor();
    expect(await refused.getByRole('cell', { name: 'on.filter.serviceAlias', exact: true }).locator('code').textContent()).toBe(
      'on.filter.serviceAlias',
    );
    expect(
      await unmatched
        .getByRole('row', { name: /octopus-audit/ })
        .getByRole('cell', { name: 'on.event', exact: true })
        .count(),
    ).toBe(1);
    // A narrow column wraps the part's name after a dot, never inside a key (a piece that broke has two boxes).
    const brokenKeys = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.refused-by span')].filter((s) => s.getClientRects().length > 1).map((s) => s.textContent)`,
    );
    expect(brokenKeys).toEqual([]);
    expect(await page.locator('.refused-by span').count()).toBeGreaterThan(0);
    await matched.getByRole('link', { name: /^Run \w+, succeeded$/ }).waitFor();
    await bed.screenshot(page, 'event');

    // Replay starts the matching reaction again and links the new run.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Replay' }).click();
    await page
      .getByRole('status')
      .getByRole('link', { name: /^record-hook run \w+$/ })
      .waitFor();
    await matched.getByRole('link', { name: /^Run / }).nth(1).waitFor();
  });

  it('offers a read-only user no buttons that change anything', async () => {
    await bed.shipline.ingest({ service: 'approval-svc', dedup_id: 'approve-read' });
    await bed.shipline.runReaching({ reaction: 'ship-approval' }, ['waiting']);
    const page = await bed.newPage();
    await bed.signIn(page, READER);
    await page.goto('/runs?reaction=ship-approval&status=waiting');
    await page
      .getByRole('link', { name: /^Run \w+ of ship-approval$/ })
      .first()
      .click();
    await page.getByText('Someone with the write role can approve or reject it.').waitFor();
    expect(await page.getByRole('button', { name: /Approve|Reject|Cancel run|Retry/ }).count()).toBe(0);
    await page.getByRole('link', { name: /^event / }).click();
    await page.getByRole('table', { name: 'Reactions that match this event' }).waitFor();
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
  });
  it("summarises an event by its message when it has one (an Octopus event's sentence, not its fields)", async () => {
    await bed.shipline.store.events.append({
      type: 'octopus.deployment.succeeded',
      source: 'connection:octo',
      data: {
        eventType: 'DeploymentSucceeded',
        category: 'DeploymentSucceeded',
        message: 'Deploy to Production succeeded for Payments API release 2.3.0 to Production',
        project: 'Payments API',
      },
    });
    const page = await bed.newPage();
    await bed.signIn(page);
    await page.goto('/events');
    const row = page.getByRole('row', { name: /octopus\.deployment\.succeeded/ }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain('Deploy to Production succeeded for Payments API release 2.3.0 to Production');
    expect(await row.textContent()).not.toContain('eventType:');
  });
  it('wraps event types only at their dots, never inside a word', async () => {
    await bed.shipline.store.events.append({ type: 'octopus.deployment.started', source: 'connection:octo', data: {} });
    const page = await bed.newPage({ width: 400, height: 800 });
    await bed.signIn(page);
    await page.goto('/events');
    await page.locator('.events-type').first().waitFor();
    // Each dotted part is one piece of text on one line (a part that broke has two boxes).
    const broken = await page.evaluate<string[]>(
      `[...document.querySelectorAll('.events-type span')].filter((s) => s.getClientRects().length > 1).map((s) => s.textContent)`,
    );
    expect(broken).toEqual([]);
    expect(await page.locator('.events-type span').count()).toBeGreaterThan(0);
  });
});
