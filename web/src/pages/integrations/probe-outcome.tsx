import { fieldLabel } from './connection-fields';
import type { ConnectionProbe } from './types';

/** A value as a sentence shows it: a named object (a space, a workspace) by its name, others as JSON. */
function valueText(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' ? name : JSON.stringify(value);
}

/** "Team: Acme · User: shipline · Space: Default" from what a test learned. */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${fieldLabel(key)}: ${valueText(value)}`)
    .join(' · ');
}

/**
 * What testing unsaved settings found: success with what the provider told (its version, the
 * space or workspace...), or failure with the provider's own message. Nothing was saved either way.
 */
export function ProbeOutcome({ outcome }: { outcome: ConnectionProbe }) {
  if (outcome.status === 'ready' && outcome.contacted === false) {
    // Nothing was reached: say what was checked, not that a test of the provider succeeded.
    const text = detailsText(outcome.details ?? {});
    return (
      <div className="notice notice-info" role="status" data-test-outcome="local">
        <strong>Settings checked here only; nothing was contacted.</strong> {text ? `${text}. ` : ''}Not saved yet.
      </div>
    );
  }
  if (outcome.status === 'ready') {
    const details = outcome.details ?? {};
    const text = detailsText(details);
    return (
      <div className="notice notice-info" role="status" data-test-outcome="ready">
        <strong>Test succeeded.</strong> {text ? `${text}. ` : ''}Not saved yet.
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-test-outcome="error">
      <strong>Test failed.</strong> {outcome.error ?? 'No answer.'}
    </div>
  );
}
