import { octopusTime } from './time.js';
import type { SimChannel, SimEnvironment, SimProject, SimRelease, SimSpace, SimState, SimTenant, SimUser } from './types.js';

/**
 * The wire shapes of the configuration documents (spaces, projects, environments, channels,
 * tenants, releases, the user), field for field as a 2024.3 server returns them
 * (reference/octopus-examples/*.port-docs.json), with the ids and names of the simulated model.
 */

export function spaceResource(space: SimSpace, version: string): Record<string, unknown> {
  return {
    Id: space.id,
    Name: space.name,
    Slug: space.slug,
    Description: space.description,
    IsDefault: space.isDefault,
    IsPrivate: false,
    TaskQueueStopped: false,
    SpaceManagersTeams: ['teams-administrators', 'teams-managers', `teams-spacemanagers-${space.id}`],
    SpaceManagersTeamMembers: [],
    Icon: null,
    ExtensionSettings: [],
    LastModifiedOn: '0001-01-01T00:00:00.000+00:00',
    Links: {
      Self: `/api/spaces/${space.id}`,
      SpaceHome: `/api/${space.id}`,
      Web: `/app#/spaces/${space.id}`,
      Logo: `/api/spaces/${space.id}/logo?cb=${version}`,
      Search: `/api/spaces/${space.id}/search`,
    },
  };
}

export function userResource(user: SimUser): Record<string, unknown> {
  return {
    Id: user.id,
    Username: user.username,
    DisplayName: user.displayName,
    IsActive: true,
    IsService: false,
    EmailAddress: user.email,
    CanPasswordBeEdited: true,
    IsRequestor: true,
    Identities: [
      {
        IdentityProviderName: 'Octopus',
        Claims: { email: { Value: user.email, IsIdentifyingClaim: true }, dn: { Value: user.displayName, IsIdentifyingClaim: false } },
      },
    ],
    Links: {
      Self: `/api/users/${user.id}`,
      Permissions: `/api/users/${user.id}/permissions`,
      ApiKeys: `/api/users/${user.id}/apikeys{/id}{?skip,take}`,
      Avatar: `https://www.gravatar.com/avatar/00000000000000000000000000000000?d=blank`,
    },
  };
}

export function projectResource(project: SimProject, state: SimState): Record<string, unknown> {
  const base = `/api/${project.spaceId}/projects/${project.id}`;
  return {
    Id: project.id,
    SpaceId: project.spaceId,
    VariableSetId: `variableset-${project.id}`,
    DeploymentProcessId: `deploymentprocess-${project.id}`,
    ClonedFromProjectId: null,
    DiscreteChannelRelease: false,
    IncludedLibraryVariableSetIds: [],
    DefaultToSkipIfAlreadyInstalled: false,
    TenantedDeploymentMode: state.tenants.some((t) => project.id in t.projectEnvironments) ? 'TenantedOrUntenanted' : 'Untenanted',
    DefaultGuidedFailureMode: 'EnvironmentDefault',
    VersioningStrategy: { Template: null, DonorPackage: null },
    ReleaseCreationStrategy: { ChannelId: null, ReleaseCreationPackage: null, ReleaseCreationPackageStepId: null },
    Templates: [],
    AutoDeployReleaseOverrides: [],
    ReleaseNotesTemplate: null,
    DeploymentChangesTemplate: null,
    ForcePackageDownload: false,
    Icon: null,
    AllowIgnoreChannelRules: true,
    ExecuteDeploymentsOnResilientPipeline: null,
    ExtensionSettings: [],
    Name: project.name,
    Slug: project.slug,
    Description: project.description,
    IsDisabled: false,
    ProjectGroupId: project.projectGroupId,
    LifecycleId: project.lifecycleId,
    AutoCreateRelease: false,
    IsVersionControlled: false,
    PersistenceSettings: { Type: 'Database' },
    ProjectConnectivityPolicy: {
      SkipMachineBehavior: 'None',
      TargetRoles: [],
      AllowDeploymentsToNoTargets: false,
      ExcludeUnhealthyTargets: false,
    },
    Links: {
      Self: base,
      Releases: `${base}/releases{/version}{?skip,take,searchByVersion}`,
      Channels: `${base}/channels{/id}{?skip,take,partialName}`,
      DeploymentProcess: `${base}/deploymentprocesses`,
      Web: `/app#/${project.spaceId}/projects/${project.id}`,
    },
  };
}

export function environmentResource(env: SimEnvironment): Record<string, unknown> {
  return {
    Id: env.id,
    Name: env.name,
    Slug: env.slug,
    Description: env.description,
    SortOrder: env.sortOrder,
    UseGuidedFailure: false,
    AllowDynamicInfrastructure: false,
    SpaceId: env.spaceId,
    ExtensionSettings: [],
    Links: {
      Self: `/api/${env.spaceId}/environments/${env.id}`,
      Machines: `/api/${env.spaceId}/environments/${env.id}/machines{?skip,take,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags}`,
      Web: `/app#/${env.spaceId}/infrastructure/environments/${env.id}`,
    },
  };
}

export function channelResource(channel: SimChannel): Record<string, unknown> {
  return {
    Id: channel.id,
    Name: channel.name,
    Slug: channel.slug,
    Description: '',
    ProjectId: channel.projectId,
    LifecycleId: channel.lifecycleId,
    IsDefault: channel.isDefault,
    Rules: [],
    TenantTags: [],
    SpaceId: channel.spaceId,
    Links: {
      Self: `/api/${channel.spaceId}/projects/${channel.projectId}/channels/${channel.id}`,
      Releases: `/api/${channel.spaceId}/projects/${channel.projectId}/channels/${channel.id}/releases{?skip,take,searchByVersion}`,
      Project: `/api/${channel.spaceId}/projects/${channel.projectId}`,
    },
  };
}

export function tenantResource(tenant: SimTenant): Record<string, unknown> {
  return {
    Id: tenant.id,
    Name: tenant.name,
    Slug: tenant.slug,
    Description: null,
    IsDisabled: false,
    TenantTags: [],
    ProjectEnvironments: tenant.projectEnvironments,
    SpaceId: tenant.spaceId,
    Links: { Self: `/api/${tenant.spaceId}/tenants/${tenant.id}`, Web: `/app#/${tenant.spaceId}/tenants/${tenant.id}/overview` },
  };
}

export function releaseResource(release: SimRelease): Record<string, unknown> {
  const base = `/api/${release.spaceId}/releases/${release.id}`;
  return {
    Id: release.id,
    SpaceId: release.spaceId,
    ProjectId: release.projectId,
    Version: release.version,
    ChannelId: release.channelId,
    ReleaseNotes: release.releaseNotes,
    ProjectDeploymentProcessSnapshotId: `deploymentprocess-${release.projectId}-s-1`,
    IgnoreChannelRules: false,
    BuildInformation: [],
    Assembled: octopusTime(release.assembled),
    LibraryVariableSetSnapshotIds: [],
    SelectedPackages: release.selectedPackages.map((p) => ({
      ActionName: p.actionName,
      StepName: p.stepName,
      PackageReferenceName: '',
      Version: p.version,
    })),
    SelectedGitResources: [],
    ProjectVariableSetSnapshotId: `variableset-${release.projectId}-s-0`,
    VersionControlReference: null,
    Links: {
      Self: base,
      Project: `/api/${release.spaceId}/projects/${release.projectId}`,
      Channel: `/api/${release.spaceId}/projects/${release.projectId}/channels/${release.channelId}`,
      Deployments: `${base}/deployments{?skip,take}`,
      DeploymentTemplate: `${base}/deployments/template`,
      Web: `/app#/${release.spaceId}/releases/${release.id}`,
    },
  };
}
