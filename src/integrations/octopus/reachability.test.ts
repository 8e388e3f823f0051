import { describe, expect, it } from 'vitest';
import { unreachableWarning } from './reachability.js';

describe('whether Octopus can reach Shipline', () => {
  it("warns when Shipline's public URL is this machine and Octopus is elsewhere", () => {
    expect(unreachableWarning('http://localhost:8080', 'https://acme.octopus.app')).toContain('SHIPLINE_PUBLIC_URL');
    expect(unreachableWarning('http://127.0.0.1:8080', 'https://octopus.internal')).toContain('octopus.internal');
  });

  it('says nothing when both are local or Shipline has a real address', () => {
    expect(unreachableWarning('http://127.0.0.1:8080', 'http://127.0.0.1:8065')).toBeNull();
    expect(unreachableWarning('https://shipline.acme.com', 'https://acme.octopus.app')).toBeNull();
    expect(unreachableWarning('not a url', 'https://acme.octopus.app')).toBeNull();
  });
});
