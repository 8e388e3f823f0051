import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let library: typeof Yaml | undefined;

/**
 * The `yaml` library, loaded when first needed rather than with the modules that use it: a server
 * reads YAML only when a reaction arrives as YAML text or the template gallery is first listed,
 * and loading it took about 30 ms of every start (decision 0047).
 */
export function yamlLibrary(): typeof Yaml {
  return (library ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}
