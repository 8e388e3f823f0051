/**
 * A connection's settings after a PATCH: fields given replace those stored, a field given as
 * `null` is removed (back to its default, or missing if it is required: validation says so),
 * fields not given stay as they are.
 */
export function patchedConfig(current: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
