import { fieldLabel } from './connection-fields';
import type { ConnectionProbe } from './types';

/** "Team: Acme · User: shipline" from what a test learned; nested values as JSON. */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${fieldLabel(key)}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/** Octopus's version and space, as a saved connection's card shows them. */
function octopusText(details: Record<string, unknown>): string {
  const version = typeof details.version === 'string' ? details.version : '';
  const space = details.space as { name?: string } | undefined;
  return `Octopus ${version}${space?.name ? `, space ${space.name}` : ''}.`;
}

/**
 * What testing unsaved settings found: success with what the provider told (Octopus: version
 * and space), or failure with the provider's own message. Nothing was saved either way.
 */
export function ProbeOutcome({ outcome, type }: { outcome: ConnectionProbe; type: string }) {
  if (outcome.status === 'ready') {
    const details = outcome.details ?? {};
    const text = type === 'octopus' ? octopusText(details) : detailsText(details);
    return (
      <div className="notice notice-info" role="status" data-test-outcome="ready">
        <strong>Test succeeded.</strong> {text ? `${text} ` : ''}Not saved yet.
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-test-outcome="error">
      <strong>Test failed.</strong> {outcome.error ?? 'No answer.'}
    </div>
  );
}
