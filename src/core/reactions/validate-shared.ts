import type { ValidationContext } from './document.js';
import { eachTemplate, templateProblems, templateReferences } from './templates.js';

/** Names and step ids: lowercase letters, digits, `-`, `_`, `.`; starting with a letter or digit (so never `..` in a URL). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const NAME_RULE = '1–100 lowercase letters, digits, "-", "_" or ".", starting with a letter or digit';

/** Problems are collected, never thrown: a document is reported in full at once. */
export type Problems = string[];

export function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  what: string,
  problems: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${at(path, key)}: unknown key; ${what} has ${allowed.join(', ')}`);
  }
}

export function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/** What the templates at one place in a document may read. */
export interface TemplateRules {
  /** Scope roots available here (`event`, `data`, ...). */
  roots: readonly string[];
  /** For step templates: every step id of the reaction, and those that have ended before this step starts. */
  steps?: { all: ReadonlySet<string>; before: ReadonlySet<string>; current: string };
}

/**
 * Checks every template under `value`: it parses (syntax, known filters and tags), reads only
 * roots in scope, names secrets literally and only existing ones, and reads only steps that have
 * ended by then; the last two are what strict variables would otherwise fail on at run time.
 */
export function checkTemplates(value: unknown, path: string, rules: TemplateRules, ctx: ValidationContext, problems: Problems): void {
  eachTemplate(value, path, (template, leaf) => {
    const syntax = templateProblems(template, leaf);
    if (syntax.length > 0) {
      problems.push(...syntax);
      return;
    }
    const seen = new Set<string>();
    const report = (message: string): void => {
      if (!seen.has(message)) problems.push(`${leaf}: ${message}`);
      seen.add(message);
    };
    for (const [root, name, field] of templateReferences(template)) {
      if (typeof root !== 'string' || !rules.roots.includes(root)) {
        report(`unknown variable "${String(root)}" (templates here can use ${rules.roots.join(', ')})`);
      } else if (root === 'secrets') {
        // The engine loads only the secrets a reaction names, so a computed name could never resolve.
        if (typeof name !== 'string') report('read secrets by name: secrets.NAME');
        else if (ctx.secrets && !ctx.secrets.has(name)) report(`unknown secret "${name}"`);
      } else if (root === 'steps' && rules.steps && typeof name === 'string') {
        const { all, before, current } = rules.steps;
        if (!all.has(name)) report(`no step "${name}" in this reaction`);
        else if (!before.has(name)) report(`step "${name}" has not ended when step "${current}" starts (use "after" to order them)`);
        else if (field !== undefined && field !== 'output') report(`steps.${name} has only "output"`);
      }
    }
  });
}
