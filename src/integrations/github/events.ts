import type { ProviderEvent } from '../connection-type.js';
import type { GitHubEventData } from './webhook-handler.js';

/**
 * The events a GitHub connection emits. Every delivery but a ping becomes
 * `github.<X-GitHub-Event>.<action>` (`github.<X-GitHub-Event>` when the payload has no action,
 * as a push), so the types are open-ended: these are the ones deploy reactions listen to. Each
 * example is the `data` the webhook handler makes of one recorded delivery in fixtures/ (trimmed
 * to the fields a reaction reads); events.test.ts checks that it still is.
 */

/** `data` as the handler shapes it: the envelope Shipline adds around the delivery's own payload. */
const data = (event: string, delivery: string, payload: Record<string, unknown>): GitHubEventData => {
  const repository = payload.repository as { full_name: string };
  const sender = payload.sender as { login: string };
  const action = typeof payload.action === 'string' ? payload.action : null;
  return { event, action, delivery, repository: repository.full_name, sender: sender.login, payload };
};

/** fixtures/deployment-status-success.json */
const deploymentStatus = {
  action: 'created',
  deployment_status: {
    url: 'https://api.github.com/repos/acme/api/deployments/145988746/statuses/209916254',
    id: 209916254,
    node_id: 'MDE2OkRlcGxveW1lbnRTdGF0dXMyMDk5MTYyNTQ=',
    state: 'success',
    creator: {
      login: 'github-actions[bot]',
      id: 41898282,
      type: 'Bot',
    },
    description: '',
    environment: 'production',
    target_url: '',
    log_url: 'https://github.com/acme/api/actions/runs/88',
    environment_url: 'https://api.example.com',
    created_at: '2025-03-01T12:03:12Z',
    updated_at: '2025-03-01T12:03:12Z',
    deployment_url: 'https://api.github.com/repos/acme/api/deployments/145988746',
    repository_url: 'https://api.github.com/repos/acme/api',
  },
  deployment: {
    url: 'https://api.github.com/repos/acme/api/deployments/145988746',
    id: 145988746,
    node_id: 'MDEwOkRlcGxveW1lbnQxNDU5ODg3NDY=',
    sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
    ref: 'main',
    task: 'deploy',
    payload: {},
    original_environment: 'production',
    environment: 'production',
    description: null,
    creator: {
      login: 'octocat',
      id: 21031067,
      type: 'User',
    },
    created_at: '2025-03-01T12:00:00Z',
    updated_at: '2025-03-01T12:03:12Z',
    transient_environment: false,
    production_environment: true,
  },
  repository: {
    id: 186853002,
    node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
    name: 'api',
    full_name: 'acme/api',
    private: true,
    owner: {
      login: 'acme',
      id: 6811672,
      type: 'Organization',
    },
    html_url: 'https://github.com/acme/api',
    default_branch: 'main',
  },
  organization: {
    login: 'acme',
    id: 6811672,
  },
  sender: {
    login: 'octocat',
    id: 21031067,
    type: 'User',
  },
};

/** fixtures/push.json */
const push = {
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
  created: false,
  deleted: false,
  forced: false,
  commits: [
    {
      id: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      message: 'Fix the checkout total — naïve rounding',
      timestamp: '2025-03-01T11:58:00Z',
      author: {
        name: 'Octo Cat',
        email: 'octocat@github.com',
        username: 'octocat',
      },
    },
  ],
  head_commit: {
    id: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
    message: 'Fix the checkout total — naïve rounding',
  },
  repository: {
    id: 186853002,
    name: 'api',
    full_name: 'acme/api',
  },
  pusher: {
    name: 'octocat',
    email: 'octocat@github.com',
  },
  sender: {
    login: 'octocat',
    id: 21031067,
  },
};

/** fixtures/workflow-run-completed.json */
const workflowRun = {
  action: 'completed',
  workflow_run: {
    id: 289782451,
    name: '',
    html_url: 'https://github.com/octo-org/octo-repo/actions/runs/289782451',
    run_number: 163,
    event: 'repository_dispatch',
    status: 'completed',
    conclusion: 'success',
    workflow_id: 2823525,
    head_branch: 'master',
    head_sha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
    head_commit: {
      id: '3484a3fb816e0859fd6e1cea078d76385ff50625',
      message: 'build(test): check workflow run event payload',
      timestamp: '2020-10-05T16:32:07Z',
      author: {
        email: 'matfax@users.noreply.github.com',
        name: 'Matthias Fax',
      },
      committer: {
        email: 'noreply@github.com',
        name: 'GitHub',
      },
    },
    pull_requests: [],
    created_at: '2020-10-05T16:33:24Z',
    updated_at: '2020-10-05T16:33:49Z',
  },
  workflow: {
    id: 2823525,
    name: 'test',
    path: '.github/workflows/test.yml',
    state: 'active',
    html_url: 'https://github.com/octo-org/octo-repo/blob/master/.github/workflows/test.yml',
  },
  repository: {
    id: 300029405,
    node_id: 'MDEwOlJlcG9zaXRvcnkzMDAwMjk0MDU=',
    name: 'octo-repo',
    full_name: 'octo-org/octo-repo',
    private: false,
    owner: {
      login: 'octo-org',
      id: 41548062,
      type: 'Organization',
    },
    html_url: 'https://github.com/octo-org/octo-repo',
    default_branch: 'master',
  },
  organization: {
    login: 'octo-org',
    id: 41548062,
  },
  sender: {
    login: 'Codertocat',
    id: 15669918,
    type: 'User',
  },
};

/** fixtures/pull-request-closed.json */
const pullRequest = {
  action: 'closed',
  number: 2,
  pull_request: {
    url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2',
    id: 279147437,
    html_url: 'https://github.com/Codertocat/Hello-World/pull/2',
    number: 2,
    state: 'closed',
    title: 'Update the README with new information.',
    user: {
      login: 'Codertocat',
      id: 21031067,
      type: 'User',
    },
    body: 'This is a pretty simple change that we need to pull into master.',
    created_at: '2019-05-15T15:20:33Z',
    updated_at: '2019-05-15T15:21:18Z',
    closed_at: '2019-05-15T15:21:18Z',
    merged_at: null,
    merge_commit_sha: 'c4295bd74fb0f4fda03689c3df3f2803b658fd85',
    labels: [
      {
        id: 1362934389,
        name: 'bug',
        color: 'd73a4a',
        default: true,
      },
    ],
    head: {
      label: 'Codertocat:changes',
      ref: 'changes',
      sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    },
    base: {
      label: 'Codertocat:master',
      ref: 'master',
      sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
    },
    merged: false,
  },
  repository: {
    id: 186853002,
    node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
    name: 'Hello-World',
    full_name: 'Codertocat/Hello-World',
    private: false,
    owner: {
      login: 'Codertocat',
      id: 21031067,
      type: 'User',
    },
    html_url: 'https://github.com/Codertocat/Hello-World',
    default_branch: 'master',
  },
  sender: {
    login: 'Codertocat',
    id: 21031067,
    type: 'User',
  },
};

/** fixtures/release-published.json */
const release = {
  action: 'published',
  release: {
    url: 'https://api.github.com/repos/Codertocat/Hello-World/releases/17372790',
    html_url: 'https://github.com/Codertocat/Hello-World/releases/tag/0.0.1',
    id: 17372790,
    tag_name: '0.0.1',
    target_commitish: 'master',
    name: '',
    draft: false,
    prerelease: false,
    author: {
      login: 'Codertocat',
      id: 21031067,
      type: 'User',
    },
    created_at: '2019-05-15T15:19:25Z',
    published_at: '2019-05-15T15:20:53Z',
    assets: [],
    tarball_url: 'https://api.github.com/repos/Codertocat/Hello-World/tarball/0.0.1',
    zipball_url: 'https://api.github.com/repos/Codertocat/Hello-World/zipball/0.0.1',
    body: '',
  },
  repository: {
    id: 186853002,
    node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
    name: 'Hello-World',
    full_name: 'Codertocat/Hello-World',
    private: false,
    owner: {
      login: 'Codertocat',
      id: 21031067,
      type: 'User',
    },
    html_url: 'https://github.com/Codertocat/Hello-World',
    default_branch: 'master',
  },
  sender: {
    login: 'Codertocat',
    id: 21031067,
    type: 'User',
  },
};

/** Said of every type: the rest of GitHub's deliveries arrive the same way. */
const PATTERN =
  'Like every GitHub delivery: typed `github.<X-GitHub-Event>.<action>`; data is `event`, `action`, `delivery`, `repository` (owner/name), `sender` and the `payload` as GitHub sent it.';

export const GITHUB_EVENTS: ProviderEvent[] = [
  {
    type: 'github.deployment_status.created',
    description:
      'A deployment changed state (`payload.deployment_status.state`: queued, in_progress, success, failure, error...). A finished one (success, failure, error) is also recorded as a deploy in the catalog. ' +
      PATTERN,
    example: data('deployment_status', '5c1bd1f0-f6a8-11ef-9a3e-7c8b0a1d2e3f', deploymentStatus),
  },
  {
    type: 'github.push',
    description:
      'Commits were pushed to a branch or tag (`payload.ref`, `payload.after`, `payload.commits`); a push has no action, so no third segment. ' +
      PATTERN,
    example: data('push', '4d3b9e80-f6a8-11ef-8f1c-2b6d9a0e4c51', push),
  },
  {
    type: 'github.workflow_run.completed',
    description:
      'A GitHub Actions workflow run finished (`payload.workflow_run.conclusion`: success, failure, cancelled...; `payload.workflow.name`). Also `github.workflow_run.requested` and `github.workflow_run.in_progress`. ' +
      PATTERN,
    example: data('workflow_run', 'a9b0c1d2-0735-11eb-8e1f-5f3c2b1a0d9e', workflowRun),
  },
  {
    type: 'github.pull_request.closed',
    description:
      'A pull request was closed; `payload.pull_request.merged` says whether it was merged (then `merge_commit_sha`, `base.ref`). Also `github.pull_request.opened`, `.reopened`, `.synchronize`... ' +
      PATTERN,
    example: data('pull_request', 'd0e1f2a3-7725-11e9-8f9e-2a86e4085a59', pullRequest),
  },
  {
    type: 'github.release.published',
    description:
      'A release was published (`payload.release.tag_name`, `target_commitish`, `prerelease`). Also `github.release.created`, `.released`, `.prereleased`... ' +
      PATTERN,
    example: data('release', 'e1f2a3b4-7725-11e9-9a4b-3c97f5196b60', release),
  },
];
