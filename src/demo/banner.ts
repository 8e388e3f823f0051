/** What the newcomer reads first: where everything is and what to try, before the live lines. */
export function banner(info: {
  url: string;
  token: string;
  user: { email: string; password: string };
  octopusUrl: string;
  octopusApiKey: string;
  dataDir: string;
  keep: boolean;
  octopusEveryMs: number;
  approveAfterMs: number;
}): string[] {
  const s = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return [
    '',
    'Shipline demo: everything below runs in this process; Ctrl-C stops it.',
    '',
    `  Shipline          ${info.url}   open it in a browser (API docs: ${info.url}/api/docs)`,
    `  Sign in as        ${info.user.email}   password ${info.user.password}`,
    `  Admin token       ${info.token}`,
    `  Octopus stand-in  ${info.octopusUrl}   API key ${info.octopusApiKey}   (model: ${info.octopusUrl}/_sim/state)`,
    '  Slack stand-in    its messages print here as [slack] lines',
    `  Data              ${info.dataDir}   (${info.keep ? 'kept on exit' : 'deleted on exit; --keep keeps it'})`,
    '',
    'Try, in another terminal (./bin/shipline in a checkout):',
    '',
    `  export SHIPLINE_URL=${info.url} SHIPLINE_TOKEN=${info.token}`,
    '  shipline deploys list               # deploys from three fake pipelines and Octopus',
    '  shipline suggestions list           # a service nobody declared yet',
    '  shipline runs list                  # reaction runs: promotions, Slack messages',
    '  shipline events tail                # everything as it happens',
    '  shipline insights dora              # deploy frequency, lead time, change failure rate',
    '  shipline reactions list             # the reactions in examples/demo/reactions/',
    '',
    'What happens:',
    '  [ci]       github-actions, gitlab-ci and jenkins POST deploys every few seconds (Staging, then Production);',
    `  [octopus]  every ${s(info.octopusEveryMs)} a new release is deployed to Staging in Octopus;`,
    `  [approval] promote-to-production waits for approval (the demo approves after ${s(info.approveAfterMs)}), then deploys it to Production;`,
    '  [slack]    the first Production deployment of Payments API fails, and so do some smoke checks: Slack is told.',
    '',
  ];
}
