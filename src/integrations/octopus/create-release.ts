import { Type } from 'typebox';
import type { Action } from '../../engine/action.js';
import { defineAction } from '../../engine/define-action.js';
import type { OctopusRelease } from './client.js';
import { spacePath } from './client.js';
import type { OctopusConnections } from './connection.js';

const Package = Type.Object(
  {
    actionName: Type.Optional(Type.String({ title: 'Step action', description: 'The deployment step action the package belongs to' })),
    stepName: Type.Optional(Type.String({ title: 'Step name', description: 'Or the step name' })),
    version: Type.String({ title: 'Package version', description: 'The package version to use' }),
  },
  { additionalProperties: false },
);

const Config = Type.Object(
  {
    connection: Type.String({ title: 'Connection', description: 'The Octopus connection (name)' }),
    project: Type.String({ title: 'Project', description: 'Project name, slug or id' }),
    version: Type.Optional(
      Type.String({ title: 'Release version', description: 'The release version; omitted, Octopus picks one by the channel rules' }),
    ),
    channel: Type.Optional(Type.String({ title: 'Channel', description: "Channel name or id; default the project's default channel" })),
    packages: Type.Optional(Type.Array(Package, { title: 'Packages', description: 'Package versions per step' })),
    releaseNotes: Type.Optional(Type.String({ title: 'Release notes' })),
  },
  { additionalProperties: false },
);

/**
 * Creates a release (for "a package is available → create a release"),
 * through Octopus's executions API so Octopus applies the channel's versioning rules when no
 * version is given. With a version, a repeat (a retry after a crash) finds the release instead
 * of failing on the duplicate.
 */
export function createReleaseAction(connections: OctopusConnections): Action {
  return defineAction({
    name: 'octopus.createRelease',
    description: 'Creates a release of an Octopus project (version by channel rules unless given), with package versions and notes.',
    channels: ['success', 'failed'],
    config: Config,
    exampleOutput: { releaseId: 'Releases-790', version: '1.4.2', projectId: 'Projects-123' },
    async run(ctx, config) {
      await ctx.connection(config.connection);
      const { client: base, resolver } = await connections.get(config.connection);
      const client = base.withSignal(ctx.signal);
      const project = await resolver.project(config.project);
      const channel = config.channel ? await resolver.channel(project.Id, config.channel) : undefined;
      const packages = (config.packages ?? []).map((p) => `${p.actionName ?? p.stepName ?? ''}:${p.version}`);
      const created = await client.post<{ ReleaseId: string; ReleaseVersion: string }>(spacePath(resolver.spaceId, '/releases/create/v1'), {
        SpaceIdOrName: resolver.spaceId,
        ProjectName: project.Name,
        ...(config.version ? { ReleaseVersion: config.version, IgnoreIfAlreadyExists: true } : {}),
        ...(channel ? { ChannelName: channel.Name } : {}),
        ...(packages.length > 0 ? { Packages: packages } : {}),
        ...(config.releaseNotes ? { ReleaseNotes: config.releaseNotes } : {}),
      });
      const release = await client.get<OctopusRelease>(spacePath(resolver.spaceId, `/releases/${encodeURIComponent(created.ReleaseId)}`));
      ctx.log(`created release ${release.Version} (${release.Id}) of ${project.Name}`);
      return { channel: 'success', output: { releaseId: release.Id, version: release.Version, projectId: release.ProjectId } };
    },
  });
}
