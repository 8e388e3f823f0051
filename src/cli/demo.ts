import type { Command } from 'commander';
import { CliError } from './client.js';
import { parsePort, untilSignalled } from './options.js';
import { printLine } from './output.js';

// The demo is imported when the command runs: it loads Fastify and the database drivers.

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run Shipline with an Octopus stand-in, a Slack stand-in and fake pipelines on a temporary store, until SIGINT or SIGTERM')
    .option('--port <port>', 'port Shipline listens on (0 picks a free one)', parsePort, 8080)
    .option('--keep', 'keep the temporary data directory on exit')
    .action(async (options: { port: number; keep?: boolean }) => {
      // Listening from the start: a Ctrl-C while the demo starts up stops it once it is up,
      // instead of killing the process and leaving its temporary directory behind.
      const signalled = untilSignalled();
      const { startDemo } = await import('../demo/index.js');
      let demo;
      try {
        demo = await startDemo({ port: options.port, keep: options.keep === true });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE')
          throw new CliError(`Port ${options.port} is in use: pick another with --port, or --port 0 for a free one`);
        throw err;
      }
      const signal = await signalled;
      printLine(`Received ${signal}, stopping the demo`);
      await demo.close();
      printLine(
        options.keep
          ? `Kept ${demo.dataDir}: SHIPLINE_DATA_DIR=${demo.dataDir} shipline start serves it again (without the stand-ins)`
          : `Removed ${demo.dataDir}`,
      );
    });
}
