// Step CPU benchmark: what the parts every HTTP step runs cost in CPU, apart from the store.
//
//   npm run bench:step-cpu [-- --rounds 8 --baseline <a built checkout>]
//
// Measures, in this process, CPU µs (user + system, from process.cpuUsage) per call of:
//   secrets     referencedSecrets on a typical Slack-like `with` block (a URL, two headers, a
//               body template): what a step asks before it renders its templates
//   request     one POST through the engine's HTTP client (pooled, SSRF-guarded, timed, with a
//               step's abort signal) to a local server in this same process, 20 at a time; the
//               server's share is the same for both builds, so a difference is the client's
// With --baseline, both builds' compiled modules (dist/) are loaded and measured in alternating
// rounds (the baseline first in each round), so both meet the same machine load; the first round
// is a warm-up and is not counted. Prints every round and the medians. Not part of `npm test`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Options {
  rounds: number;
  baseline: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { rounds: 8, baseline: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2);
    const raw = inline ?? argv[++i] ?? '';
    if (flag === '--rounds') options.rounds = Number(raw);
    else if (flag === '--baseline') options.baseline = path.resolve(raw);
    else throw new Error(`unknown argument ${flag}\nusage: npm run bench:step-cpu -- [--rounds n] [--baseline DIR]`);
  }
  return options;
}

const WITH = {
  url: 'https://hooks.example.test/services/{{ data.serviceAlias }}',
  headers: { authorization: 'Bearer {{ secrets.SLACK_TOKEN }}', 'content-type': 'application/json' },
  body: '{"text":"{{ data.serviceAlias }} #{{ data.deployNumber }} to {{ data.environment }} by {{ data.deployer.name }}"}',
};
const SECRET_CALLS = 20_000;
const REQUESTS = 3_000;
const IN_FLIGHT = 20;

interface Build {
  tag: string;
  referencedSecrets: (value: unknown) => string[];
  client: {
    request(req: { method: string; url: string; body?: string; headers?: Record<string, string>; signal?: AbortSignal }): Promise<unknown>;
    close(): Promise<void>;
  };
}

async function load(tag: string, root: string): Promise<Build> {
  const at = (file: string) => pathToFileURL(path.join(root, 'dist', file)).href;
  const templates = (await import(at('core/reactions/templates.js'))) as { referencedSecrets: Build['referencedSecrets'] };
  const { createHttpClient } = (await import(at('actions/http/client.js'))) as {
    createHttpClient(options: { allowHosts: string[] }): Build['client'];
  };
  return { tag, referencedSecrets: templates.referencedSecrets, client: createHttpClient({ allowHosts: ['127.0.0.1'] }) };
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const here = path.resolve(import.meta.dirname, '..');
  const builds = [
    ...(options.baseline ? [await load('baseline', options.baseline)] : []),
    await load(options.baseline ? 'this build' : 'Shipline', here),
  ];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const results = builds.map(() => ({ secrets: [] as number[], request: [] as number[] }));
  for (let round = 0; round <= options.rounds; round++) {
    for (const [i, build] of builds.entries()) {
      let start = cpuMicros();
      for (let k = 0; k < SECRET_CALLS; k++) build.referencedSecrets(WITH);
      const secrets = (cpuMicros() - start) / SECRET_CALLS;
      start = cpuMicros();
      for (let sent = 0; sent < REQUESTS; sent += IN_FLIGHT) {
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, () =>
            // A signal per request, as each step has its own.
            build.client.request({
              method: 'POST',
              url,
              body: '{"ok":true}',
              headers: { 'content-type': 'application/json' },
              signal: new AbortController().signal,
            }),
          ),
        );
      }
      const request = (cpuMicros() - start) / REQUESTS;
      if (round === 0) continue; // warm-up
      results[i]!.secrets.push(secrets);
      results[i]!.request.push(request);
      console.log(`round ${round} ${build.tag}: secrets ${secrets.toFixed(2)} µs, request ${request.toFixed(1)} µs`);
    }
  }
  for (const build of builds) await build.client.close();
  server.close();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log('\n| Build | secrets: CPU µs per call (median) | request: CPU µs per request (median) |\n|---|--:|--:|');
  for (const [i, build] of builds.entries()) {
    console.log(`| ${build.tag} | ${median(results[i]!.secrets).toFixed(2)} | ${median(results[i]!.request).toFixed(1)} |`);
  }
  if (builds.length === 2) {
    const lower = (key: 'secrets' | 'request') => results[1]![key].filter((v, r) => v < results[0]![key][r]!).length;
    console.log(
      `\nthis build lower: secrets in ${lower('secrets')} of ${options.rounds} rounds, request in ${lower('request')} of ${options.rounds}`,
    );
  }
}

await main();
