import { isTemplate } from './templates.js';

/**
 * Settings an action takes exactly as written (a script's `run`): a template in one is refused
 * with the action's advice, at validation and again before a stored step runs, so a value from
 * an event never becomes code there. Returns `path.setting: advice` for each.
 */
export function literalSettingProblems(
  config: Record<string, unknown>,
  literalSettings: Readonly<Record<string, string>> | undefined,
  path: string,
): string[] {
  const problems: string[] = [];
  for (const [setting, advice] of Object.entries(literalSettings ?? {})) {
    const value = config[setting];
    if (typeof value === 'string' && isTemplate(value)) problems.push(`${path}.${setting}: ${advice}`);
  }
  return problems;
}
