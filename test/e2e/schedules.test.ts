import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Sink } from '../support/sink.js';
import { HAS_CHROMIUM, startUiTestBed } from './support.js';
import type { UiTestBed } from './support.js';

// The viewer sits in New York while the schedule runs on Berlin time: the page must say both.
const VIEWER_ZONE = 'America/New_York';
const WEEKDAYS = 'staging-every-weekday';
const EVERY_SECOND = 'every-second';

interface ScheduleBody {
  description: string;
  nextFireAt: string | null;
  next: string[];
  lastTicks: Array<{ scheduledAt: string; runId: string | null }>;
}

/**
 * What the page must show for a tick in the viewer's locale (en-US) and zone: `03:00 AM EST`, as a
 * pattern because ICU versions differ in the space before AM.
 */
function viewerClock(iso: string): RegExp {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: VIEWER_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hour12: true,
    timeZoneName: 'short',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return new RegExp(`${part('hour')}:${part('minute')}\\s*${part('dayPeriod')}\\s+${part('timeZoneName')}`);
}

describe.skipIf(!HAS_CHROMIUM)('web UI: scheduled reactions', () => {
  let bed: UiTestBed;
  let sink: Sink;

  beforeAll(async () => {
    sink = await new Sink().start();
    bed = await startUiTestBed();
    await bed.shipline.applyReaction({
      name: WEEKDAYS,
      description: 'Deploy the latest release to Staging',
      on: { schedule: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' } },
      steps: {
        notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/weekday`, body: { at: '{{ data.scheduledAt }}' } } },
      },
    });
  });
  afterAll(async () => {
    await bed?.close();
    await sink?.close();
  });

  async function signedIn(): Promise<Page> {
    const page = await bed.newPage({ timezoneId: VIEWER_ZONE, locale: 'en-US' });
    await bed.signIn(page);
    return page;
  }

  async function scheduleOf(name: string): Promise<ScheduleBody> {
    const res = await bed.shipline.api({ method: 'GET', url: `/api/v1/reactions/${name}` });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { schedule: ScheduleBody }).schedule;
  }

  it("shows an applied schedule in words and its next five times in the viewer's zone, with UTC beside them", async () => {
    const schedule = await scheduleOf(WEEKDAYS);
    expect(schedule.next).toHaveLength(5);
    const page = await signedIn();

    await page.goto('/reactions');
    const row = page.getByRole('row', { name: new RegExp(WEEKDAYS) });
    await row.waitFor();
    expect(await row.textContent()).toContain('0 9 * * 1-5');
    expect(await row.locator('.reactions-next time').getAttribute('datetime')).toBe(schedule.nextFireAt);
    expect(await row.locator('.reactions-next').textContent()).toMatch(viewerClock(schedule.nextFireAt!));
    expect(await row.textContent()).not.toContain('undefined');

    await row.getByRole('link', { name: WEEKDAYS }).click();
    const panel = page.getByRole('region', { name: 'Schedule' });
    await panel.getByLabel('Schedule in words').waitFor();
    expect(await panel.getByLabel('Schedule in words').textContent()).toBe(schedule.description);
    expect(schedule.description).toContain('Europe/Berlin');
    expect(await panel.textContent()).toContain(`In your time zone (${VIEWER_ZONE})`);

    const times = panel.getByRole('list', { name: 'Next 5 times' }).getByRole('listitem');
    expect(await times.count()).toBe(5);
    for (const [i, iso] of schedule.next.entries()) {
      const item = times.nth(i);
      expect(await item.locator('time').getAttribute('datetime')).toBe(iso);
      const text = (await item.textContent()) ?? '';
      expect(text).toMatch(viewerClock(iso));
      expect(text).toContain(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
    }
    expect(await panel.textContent()).toContain('None yet.');

    // The header and the graph show the schedule where an event reaction shows its event.
    expect(await page.locator('.reactions-summary').textContent()).toContain(schedule.description);
    await page.getByRole('tab', { name: 'Graph' }).click();
    const trigger = page.locator('.reactions-graph-trigger');
    await trigger.waitFor();
    expect(await trigger.textContent()).toContain('0 9 * * 1-5 Europe/Berlin');
    expect(await page.getByRole('list', { name: 'Steps in order' }).textContent()).toContain('at each tick of');
    await bed.screenshot(page, 'reaction-schedule');

    // The dry run tries the next tick's event.
    await page.getByRole('tab', { name: 'Next tick' }).click();
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const result = page.getByRole('status', { name: 'Dry run result' });
    await result.getByText('Would run').waitFor();
    expect(await page.getByLabel('Rendered input of step notify').textContent()).toContain(schedule.next[0]);
  });

  it('previews a schedule typed into the editor before it is saved', async () => {
    const page = await signedIn();
    await page.goto('/reactions/new');
    await page.getByRole('heading', { name: 'New reaction' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('nightly');
    await page.getByRole('radio', { name: 'A schedule' }).check();
    await page.getByLabel('Cron').fill('30 2 * * *');
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByLabel("New step's action").selectOption('http.request');
    await page.getByRole('button', { name: 'Add step' }).click();
    const step = page.locator('section[data-step="request"]');
    await step.getByLabel(/^URL/).fill(`${sink.url}/nightly`);
    expect(await step.getByLabel('Runs').locator('option').first().textContent()).toBe('first, at each tick');
    await page.getByText('The document is valid.').waitFor();

    const panel = page.getByRole('region', { name: 'Schedule' });
    await panel.getByText('Preview: ticks start once it is saved and enabled.').waitFor();
    const words = await panel.getByLabel('Schedule in words').textContent();
    expect(words).toMatch(/02:30/);
    const times = panel.getByRole('list', { name: 'Next 5 times' }).getByRole('listitem');
    await expect.poll(() => times.count()).toBe(5);
    for (let i = 0; i < 5; i += 1) expect(await times.nth(i).textContent()).toContain('02:30 UTC');

    // Back to an event trigger: the schedule's panel goes and the event field is empty text, not "undefined".
    await page.getByRole('radio', { name: 'An event' }).check();
    expect(await page.getByLabel('Event type').inputValue()).toBe('deploy.recorded');
    await panel.waitFor({ state: 'detached' });
  });

  it('lists the last ticks with a link to the run each one started', async () => {
    await bed.shipline.applyReaction({
      name: EVERY_SECOND,
      on: { schedule: { cron: '* * * * * *' } },
      steps: {
        notify: { uses: 'http.request', with: { method: 'POST', url: `${sink.url}/tick`, body: { at: '{{ data.scheduledAt }}' } } },
      },
    });
    const page = await signedIn();
    await page.goto(`/reactions/${EVERY_SECOND}`);
    const ticks = page.getByRole('table', { name: 'Last ticks' });
    // The page follows the runs as they end, so the first tick appears without a reload.
    const link = ticks.getByRole('link', { name: 'Open run' }).first();
    await link.waitFor();
    // Stop the ticks before following one: the page then holds still.
    const off = await bed.shipline.api({ method: 'PATCH', url: `/api/v1/reactions/${EVERY_SECOND}`, payload: { enabled: false } });
    expect(off.statusCode, off.body).toBe(200);
    const schedule = await scheduleOf(EVERY_SECOND);
    const first = schedule.lastTicks.find((t) => t.runId);
    expect(first?.runId).toBeTruthy();
    await page.goto(`/reactions/${EVERY_SECOND}`);
    await page.getByText('Disabled: no tick fires until it is enabled.').waitFor();
    await ticks.getByRole('link', { name: 'Open run' }).first().click();
    await page.waitForURL(`**/runs/${schedule.lastTicks.find((t) => t.runId)!.runId}`);
  });
});
