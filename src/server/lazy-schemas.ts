import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown };
/** The shape both of Fastify's compiler builders share: (external schemas, options) → (route) → function. */
type Builder = (externalSchemas: unknown, options: unknown) => (route: unknown) => Compiled;

// Fastify's own default compilers, loaded from where Fastify loads them, so the versions are
// always the ones Fastify was released with (they are its dependencies, not Shipline's).
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * Wraps a compiled function so that it is compiled on its first call. Ajv reports a failed
 * validation through the function's `errors` property, which Fastify reads after the call: it is
 * copied onto the wrapper.
 */
function onFirstCall(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  const lazy: Compiled = function (this: unknown, ...args: unknown[]) {
    compiled ??= compile();
    const result = compiled.apply(this, args);
    lazy.errors = compiled.errors;
    return result;
  };
  return lazy;
}

/**
 * Fastify's default validator and serializer compilers (Ajv and fast-json-stringify), but each
 * route's schemas are compiled when a request first needs them instead of when the app starts.
 * Compiling ~100 routes' request schemas and 5–7 response schemas each (the error answers every
 * route documents, error-responses.ts) took most of a start; a request pays about a millisecond
 * the first time its route, or its error status, is used. The compilers themselves (Ajv, its
 * formats, fast-json-stringify) are loaded on that first use too. Same options, same schemas,
 * same output: only the moment changes (decision 0028).
 */
export function lazySchemaCompilers(): CompilersFactory {
  const lazily = (module: string): Builder => {
    // One selector per app, as Fastify keeps it: Ajv's keeps one compiler per set of options.
    let selector: Builder | undefined;
    return (externalSchemas, options) => {
      let compiler: ReturnType<Builder> | undefined;
      const load = () => {
        selector ??= (fromFastify(module) as () => Builder)();
        return (compiler ??= selector(externalSchemas, options));
      };
      return (route) => onFirstCall(() => load()(route));
    };
  };
  return {
    buildValidator: lazily('@fastify/ajv-compiler'),
    buildSerializer: lazily('@fastify/fast-json-stringify-compiler'),
  } as unknown as CompilersFactory;
}
