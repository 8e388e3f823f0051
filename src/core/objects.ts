/** Reading untyped JSON (payloads, stored documents) one level at a time. */

/** The value as a plain object, or undefined for null, arrays and scalars. */
export function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
