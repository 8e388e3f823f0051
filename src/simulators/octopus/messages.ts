import { scheduledAt } from './time.js';
import type { SimDeployment, SimEnvironment, SimMessageReference, SimProject, SimRelease, SimTenant } from './types.js';

/**
 * Event messages as Octopus words them, with the three renderings it stores: plain `Message`,
 * `MessageHtml` (each referenced document a link) and `MessageReferences` (where each reference
 * sits in the plain text). The templates come from the 2023 captures in octopus-examples/.
 */

/** A piece of a message: plain text, or the name of a document it links to. */
export type Part = string | { id: string; text: string };

export interface RenderedMessage {
  message: string;
  messageHtml: string;
  messageReferences: SimMessageReference[];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

/** `Deployments-12` → `#/deployments/Deployments-12`, the link form of the 2023 captures. */
function href(id: string): string {
  const kind = id.slice(0, id.indexOf('-')).toLowerCase();
  return `#/${kind}/${id}`;
}

export function render(parts: Part[]): RenderedMessage {
  let message = '';
  let messageHtml = '';
  const messageReferences: SimMessageReference[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      message += part;
      messageHtml += escapeHtml(part);
      continue;
    }
    messageReferences.push({ ReferencedDocumentId: part.id, StartIndex: message.length, Length: part.text.length });
    message += part.text;
    messageHtml += `<a href='${href(part.id)}'>${escapeHtml(part.text)}</a>`;
  }
  return { message, messageHtml, messageReferences };
}

export interface DeploymentContext {
  deployment: SimDeployment;
  project: SimProject;
  release: SimRelease;
  environment: SimEnvironment;
  tenant: SimTenant | null;
}

/** "Deploy to Production" or, tenanted, "Deploy to Production for Acme": the deployment's Name. */
export function deploymentName(environment: SimEnvironment, tenant: SimTenant | null): string {
  return tenant ? `Deploy to ${environment.name} for ${tenant.name}` : `Deploy to ${environment.name}`;
}

/** The task's Description: "Deploy Web release 1.0.1 to Production[ for Acme]". */
export function taskDescription(c: Omit<DeploymentContext, 'deployment'>): string {
  const forTenant = c.tenant ? ` for ${c.tenant.name}` : '';
  return `Deploy ${c.project.name} release ${c.release.version} to ${c.environment.name}${forTenant}`;
}

function tenantSuffix(tenant: SimTenant | null): Part[] {
  return tenant ? [' for ', { id: tenant.id, text: tenant.name }] : [];
}

/** "Scheduled to deploy Web release 1.0.1 to Production at Friday, 03 March 2023 1:00 AM +00:00". */
export function queuedMessage(c: DeploymentContext): RenderedMessage {
  return render([
    'Scheduled to deploy ',
    { id: c.project.id, text: c.project.name },
    ' release ',
    { id: c.release.id, text: c.release.version },
    ' to ',
    { id: c.environment.id, text: c.environment.name },
    ` at ${scheduledAt(c.deployment.created)}`,
    ...tenantSuffix(c.tenant),
  ]);
}

/** "Deploy to Production started|succeeded|failed for Web release 1.0.1 to Production". */
export function outcomeMessage(c: DeploymentContext, verb: 'started' | 'succeeded' | 'failed'): RenderedMessage {
  return render([
    { id: c.deployment.id, text: c.deployment.name },
    ` ${verb} for `,
    { id: c.project.id, text: c.project.name },
    ' release ',
    { id: c.release.id, text: c.release.version },
    ' to ',
    { id: c.environment.id, text: c.environment.name },
    ...tenantSuffix(c.tenant),
  ]);
}

/** The observed order: Deployments, Projects, Releases, Environments, [Tenants], ServerTasks, Channels. */
export function deploymentRelatedIds(c: DeploymentContext): string[] {
  return [
    c.deployment.id,
    c.project.id,
    c.release.id,
    c.environment.id,
    ...(c.tenant ? [c.tenant.id] : []),
    c.deployment.taskId,
    c.deployment.channelId,
  ];
}

/** "Release 1.0.2 created for Web" (wording not confirmed by a capture; see docs/octopus-sim.md). */
export function releaseCreatedMessage(project: SimProject, release: SimRelease): RenderedMessage {
  return render(['Release ', { id: release.id, text: release.version }, ' created for ', { id: project.id, text: project.name }]);
}
