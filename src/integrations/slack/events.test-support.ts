import fs from 'node:fs';
import type { ShiplineEvent } from '../../core/vocabulary.js';

/** The Slack and Teams unit tests' event fixtures (connections and contexts: ../integration.test-support.ts). */

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export const deployRecorded = () => fixture<ShiplineEvent>('deploy-recorded.event.json');
export const octopusFailed = () => fixture<ShiplineEvent>('octopus-deployment-failed.event.json');
export const octopusFinishedOutput = () =>
  fixture<{ type: string; timestamp: string; data: Record<string, unknown> }>('octopus-deployment-finished.output.json');
