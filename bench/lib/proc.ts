/**
 * What the kernel says about a process, read from /proc (Linux only).
 *
 * CPU time is the figure the benchmarks lean on: on a machine shared with
 * other work, requests/s says as much about the neighbours as about the
 * server, while the CPU the server itself spent per request barely moves.
 * /proc/PID/stat sums utime and stime over every thread of the process,
 * including the click flush worker and threads that have already exited.
 */
import { readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  const r = Bun.spawnSync(['getconf', 'CLK_TCK'], { stdout: 'pipe', stderr: 'ignore' });
  const n = Number(r.stdout.toString().trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** user + system CPU seconds of the whole process (all threads), at 1/CLK_TCK resolution. */
export function cpuSeconds(pid: number): number {
  return statCpu(`/proc/${pid}/stat`);
}

/** The same for one thread; tid = pid is the main thread, the one that runs JavaScript's event loop. */
export function threadCpuSeconds(pid: number, tid = pid): number {
  return statCpu(`/proc/${pid}/task/${tid}/stat`);
}

function statCpu(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // the command name may contain spaces and parentheses: fields are counted after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set and its peak, in MB, from /proc/PID/status. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Starts a CPU meter on a process; stop() returns the CPU seconds spent since, in all threads and in the main one. */
export function cpuMeter(pid: number) {
  const start = cpuSeconds(pid);
  const startMain = threadCpuSeconds(pid);
  return { stop: () => ({ all: cpuSeconds(pid) - start, main: threadCpuSeconds(pid) - startMain }) };
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** One line about the machine, printed with every run (the figures mean little without it). */
export function machineNotes(): { cpus: number; cpuModel: string; kernel: string; bun: string; memoryGb: number } {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    bun: Bun.version,
    memoryGb: Math.round(Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) / 1024 / 1024),
  };
}
