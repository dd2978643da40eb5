/** Pieces shared by the benchmark scripts: settings, the machine, CPU time of processes (Linux /proc). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, read once). */
export interface ClockTicks {
  perSecond: number;
  source: string;
}

export function clockTicks(): ClockTicks {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(value) && value > 0) return { perSecond: value, source: 'getconf CLK_TCK' };
  } catch {
    // below
  }
  return { perSecond: 100, source: 'getconf CLK_TCK unavailable, assumed 100' };
}

/**
 * utime+stime of a process (all its threads) in clock ticks, from /proc/<pid>/stat (fields 14 and
 * 15); undefined when it cannot be read (no /proc, process gone).
 */
export function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: the fields after it
    // start with field 3 (state), so field n is at index n - 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
    const utime = Number(fields[14 - 3]);
    const stime = Number(fields[15 - 3]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
  } catch {
    return undefined;
  }
}

/** The machine, for the report. */
export function machine(load = loadavg()): string[] {
  const cores = cpus();
  return [
    `CPU:    ${cores[0]?.model.trim() ?? 'unknown'} x ${cores.length}`,
    `Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `OS:     ${platform()} ${release()}`,
    `Node:   ${process.version}`,
    `Load:   ${load.map((l) => l.toFixed(2)).join(' / ')} (load average 1 / 5 / 15 min, before the benchmark started)`,
  ];
}
