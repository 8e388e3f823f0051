// The UI's words for counts follow English plural rules ("1 deploy", "0 deploys", "1.5 days"),
// the rules Intl.PluralRules knows, so no text reads "1 deploys" or "its 1 deploy now belong to it".

const rules = new Intl.PluralRules('en');

/** `one` or `other` as English picks for `n` (`other` defaults to `one` + "s"). */
export function plural(n: number, one: string, other = `${one}s`): string {
  return rules.select(n) === 'one' ? one : other;
}

/** `n` and its noun: `count(1, 'deploy')` is "1 deploy", `count(2, 'deploy')` "2 deploys". */
export function count(n: number, one: string, other = `${one}s`): string {
  return `${n} ${plural(n, one, other)}`;
}

/** A plural noun the server names (`denominatorUnit: 'days'`) in the form that fits `n`. */
export function unitFor(n: number, noun: string): string {
  return rules.select(n) === 'one' && noun.endsWith('s') ? noun.slice(0, -1) : noun;
}
