import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GITHUB_EVENTS } from './events.js';
import type { GitHubEventData } from './webhook-handler.js';
import { githubEvents } from './webhook-handler.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const declared = (type: string) => {
  const found = GITHUB_EVENTS.find((e) => e.type === type);
  if (!found) throw new Error(`${type} is not declared`);
  return found.example as GitHubEventData;
};

describe('the events GitHub declares', () => {
  it.each([
    ['github.deployment_status.created', 'deployment-status-success.json'],
    ['github.push', 'push.json'],
    ['github.workflow_run.completed', 'workflow-run-completed.json'],
    ['github.pull_request.closed', 'pull-request-closed.json'],
    ['github.release.published', 'release-published.json'],
  ])('give as example of %s what the handler makes of fixtures/%s', (type, name) => {
    const example = declared(type);
    const headers = { 'x-github-event': example.event, 'x-github-delivery': example.delivery! };
    expect(githubEvents(fixture(name), headers)).toEqual([{ type, data: example, sourceKey: `github:${example.delivery}` }]);
  });

  it('declare each type once, every fixture delivery but the ping among them', () => {
    const types = GITHUB_EVENTS.map((e) => e.type);
    expect(new Set(types).size).toBe(types.length);
    expect(githubEvents(fixture('ping.json'), { 'x-github-event': 'ping' })).toEqual([]);
  });
});
