import { eachTemplate, joinPath } from './templates.js';

/**
 * Settings an action takes exactly as written (a script's `run` and `connections`): a template in
 * one, or anywhere in a list or object there, is refused with the action's advice, at validation
 * and again before a stored step runs, so a value from an event never becomes code or picks a
 * credential there. Returns `path.setting: advice` (`path.setting[0]: …` inside a list) for each.
 */
export function literalSettingProblems(
  config: Record<string, unknown>,
  literalSettings: Readonly<Record<string, string>> | undefined,
  path: string,
): string[] {
  const problems: string[] = [];
  for (const [setting, advice] of Object.entries(literalSettings ?? {})) {
    eachTemplate(config[setting], joinPath(path, setting), (_template, at) => problems.push(`${at}: ${advice}`));
  }
  return problems;
}
