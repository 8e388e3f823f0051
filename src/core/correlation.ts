/**
 * Correlation keys: how a waiting step and the event or signal that resumes it find each other.
 * Both sides build the key here, so they cannot drift apart.
 */

/** The key an `approval` step waits on; the approve/reject API signals it. */
export function approvalKey(runId: string, stepId: string): string {
  return `approval:${runId}:${stepId}`;
}
