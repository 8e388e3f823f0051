// Machine-independent figures for the benchmarks, read from Linux's /proc: a process's CPU time
// (all its threads), the bytes it caused to be written to storage, its memory, and the host's
// steal. Each reader returns undefined where /proc does not say (another OS, a process gone).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times; 100 unless getconf says otherwise. */
export const CLOCK_TICKS: number = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process and all its threads, in microseconds. */
export function processCpuUs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Bytes the process (all threads) caused to be sent to storage: write_bytes in /proc/<pid>/io. */
export function processWriteBytes(pid: number): number | undefined {
  try {
    const match = /^write_bytes:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** VmRSS (resident now) and VmHWM (the peak) of a process, in bytes. */
export function processMemory(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    const memory = { rss: kb('VmRSS'), hwm: kb('VmHWM') };
    return Number.isFinite(memory.rss) ? memory : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuTimes {
  steal: number;
  total: number;
}

/**
 * CPU time the hypervisor gave to other guests while this machine's vCPUs wanted to run ("steal"
 * in /proc/stat), with the total to make it a share. On a shared VM it swings from run to run.
 */
export function cpuTimes(): CpuTimes | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** The share of all CPU time stolen between two readings. */
export function stealBetween(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

/** /proc/loadavg's 1, 5 and 15 minute load averages, to say how busy the machine was. */
export function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '-';
  }
}
