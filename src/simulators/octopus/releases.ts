import type { SimContext } from './context.js';
import { invalid } from './errors.js';
import { recordEvent } from './events.js';
import { defaultChannel, findReleaseByVersion } from './lookup.js';
import { releaseCreatedMessage } from './messages.js';
import { idNumber, nextId } from './state.js';
import type { SimActor, SimChannel, SimProject, SimRelease, SimSelectedPackage, SimState } from './types.js';

/** A project's releases, newest (last created) first. */
export function projectReleases(state: SimState, projectId: string): SimRelease[] {
  return state.releases.filter((r) => r.projectId === projectId).sort((a, b) => idNumber(b.id) - idNumber(a.id));
}

/**
 * The version a release gets when none is given: the latest one with its last number bumped
 * (1.0.3 → 1.0.4, 2.1 → 2.2, 1.0.0-beta.4 → 1.0.0-beta.5), like the default template
 * `#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}`;
 * 0.0.1 for a project's first release.
 */
export function nextVersion(state: SimState, projectId: string): string {
  const latest = projectReleases(state, projectId)[0];
  if (!latest) return '0.0.1';
  let candidate = nextOf(latest.version);
  while (findReleaseByVersion(state, projectId, candidate)) candidate = nextOf(candidate);
  return candidate;
}

/** Bumps the last number in a version; appends `.1` to one without digits. */
function nextOf(version: string): string {
  const m = /^(.*?)(\d+)(\D*)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}${m[3]}` : `${version}.1`;
}

export interface NewRelease {
  project: SimProject;
  version?: string;
  channel?: SimChannel;
  releaseNotes?: string | null;
  selectedPackages?: SimSelectedPackage[];
  actor: SimActor;
}

/** Creates a release (recording ReleaseCreated); a version already used is Octopus's 400. */
export function createRelease(ctx: SimContext, input: NewRelease): SimRelease {
  const { state } = ctx;
  const { project } = input;
  const version = input.version?.trim() || nextVersion(state, project.id);
  if (findReleaseByVersion(state, project.id, version)) {
    throw invalid(
      `Release '${version}' already exists for this project. Please use a different version, or look at using a mask to auto-increment the number.`,
    );
  }
  const channel = input.channel ?? defaultChannel(state, project.id);
  const release: SimRelease = {
    id: nextId(state, 'Releases'),
    spaceId: project.spaceId,
    projectId: project.id,
    channelId: channel?.id ?? '',
    version,
    releaseNotes: input.releaseNotes ?? null,
    selectedPackages: input.selectedPackages ?? [],
    assembled: Date.now(),
  };
  state.releases.push(release);
  recordEvent(ctx, {
    category: 'ReleaseCreated',
    spaceId: project.spaceId,
    message: releaseCreatedMessage(project, release),
    relatedDocumentIds: [release.id, project.id, release.channelId],
    actor: input.actor,
  });
  return release;
}
