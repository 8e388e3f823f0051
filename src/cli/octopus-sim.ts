import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../core/reactions/durations.js';
import { CliError } from './client.js';
import { parsePort, untilSignalled } from './options.js';
import { printLine } from './output.js';
import { errorMessage } from '../core/error-message.js';

interface OctopusSimCliOptions {
  port: number;
  host: string;
  seed?: string;
  apiKey?: string;
  batchInterval: number;
  sensitiveHeaderValues?: boolean;
}

/** `--batch-interval`: `0`, a number of milliseconds, or a duration such as `30s`. */
function parseInterval(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === null) throw new InvalidArgumentError('must be 0, milliseconds, or a duration such as 500ms, 30s or 1m');
  return ms;
}

// The simulator is imported when the command runs: it loads Fastify, which other commands skip.

export function registerOctopusSimCommand(program: Command): void {
  program
    .command('octopus-sim')
    .description('run a local Octopus Deploy stand-in (REST API, webhook deliveries, /_sim control API) until SIGINT or SIGTERM')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8065)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--seed <file>', 'seed file, YAML or JSON (default: the built-in seed; see docs/octopus-sim.md)')
    .option('--api-key <key>', "API key to accept besides the seed's keys (default: API-SIMULATOR0000000000000000000)")
    .option(
      '--batch-interval <duration>',
      'deliver webhooks in batches this often, e.g. 30s as Octopus does; 0 delivers at once',
      parseInterval,
      0,
    )
    .option('--sensitive-header-values', "show subscriptions' WebhookHeaderValue as a sensitive value, as newer Octopus versions do")
    .action(async (options: OctopusSimCliOptions) => {
      const { loadSeedFile, startOctopusSim } = await import('../simulators/octopus/index.js');
      let seed;
      try {
        seed = options.seed === undefined ? undefined : loadSeedFile(options.seed);
      } catch (err) {
        throw new CliError(errorMessage(err));
      }
      const sim = await startOctopusSim({
        port: options.port,
        host: options.host,
        seed,
        apiKey: options.apiKey,
        batchIntervalMs: options.batchInterval,
        sensitiveHeaderValues: options.sensitiveHeaderValues === true,
      });
      printLine(`Octopus simulator listening on ${sim.url}`);
      printLine(`API key: ${sim.apiKey}`);
      printLine(`Control API: ${sim.url}/_sim (state: ${sim.url}/_sim/state)`);
      const signal = await untilSignalled();
      printLine(`Received ${signal}, stopping`);
      await sim.close();
    });
}
