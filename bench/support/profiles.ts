// Reading what `node --cpu-prof` and `--heapsnapshot-signal` write, for bench:start: where the
// main thread's time went until the server was ready, and what the idle heap holds.
import fs from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  /** µs, on the same monotonic clock as process.hrtime(). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time up to the cut, in ms. */
  totalMs: number;
  functions: Array<{ name: string; ms: number }>;
  modules: Array<{ name: string; ms: number }>;
}

/** node_modules/<package> (scoped too), dist/<file>, node:<internal>, or the sampler's own (program)/(garbage collector). */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time per function and per module (package or file) of the samples taken before
 * `untilHrtimeUs` (process.hrtime in µs; undefined: the whole profile), largest first.
 */
export function summarizeCpuProfile(file: string, untilHrtimeUs: number | undefined, top: number): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let at = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (untilHrtimeUs !== undefined && at > untilHrtimeUs) break;
    const frame = byId.get(profile.samples[i]!);
    if (!frame) continue;
    total += delta;
    const where = frame.url ? `${moduleOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + delta);
    const mod = moduleOf(frame.url, frame.functionName);
    modules.set(mod, (modules.get(mod) ?? 0) + delta);
  }
  const topOf = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: total / 1000, functions: topOf(functions), modules: topOf(modules) };
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** The heap's total self size, and self size per constructor (objects) or node type (strings, code ...), largest first. */
export function summarizeHeapSnapshot(
  file: string,
  top: number,
): { totalBytes: number; top: Array<{ name: string; count: number; bytes: number }> } {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!] ?? '?';
    const key = type === 'object' || type === 'closure' ? `${snap.strings[snap.nodes[i + nameAt]!]} (${type})` : `(${type})`;
    const entry = totals.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt]!;
    totalBytes += snap.nodes[i + sizeAt]!;
    totals.set(key, entry);
  }
  const largest = [...totals.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, top)
    .map(([name, v]) => ({ name, ...v }));
  return { totalBytes, top: largest };
}
