import { describe, expect, it } from 'vitest';
import type { ReactionSpec } from '../../core/reactions/document.js';
import { staleCategoryWarnings } from './trigger.js';

const spec = (name: string, on: Partial<ReactionSpec['on']> & { event: string }): ReactionSpec => ({
  name,
  description: null,
  enabled: true,
  on: { filter: {}, if: null, ...on },
  concurrency: null,
  steps: [],
});

describe('staleCategoryWarnings', () => {
  it('names each reaction that lists a category under a type its events no longer have', () => {
    const warnings = staleCategoryWarnings([
      spec('old-releases', { event: 'octopus.event', categories: ['ReleaseCreated', 'TaskCanceled'] }),
      spec('machines', { event: 'octopus.event', categories: 'MachineAdded' }),
      spec('fine', { event: 'octopus.*', categories: ['ReleaseCreated', 'MachineAdded'] }),
      spec('typed', { event: 'octopus.release.created' }),
      spec('deploys', { event: 'octopus.deployment.*', categories: ['DeploymentFailed'] }),
    ]);
    expect(warnings.map((w) => w.reaction)).toEqual(['old-releases', 'machines']);
    expect(warnings[0]!.warning).toContain('ReleaseCreated events are octopus.release.created');
    expect(warnings[1]!.warning).toContain('MachineAdded events are octopus.machine.added');
  });
});
