import { readFile, writeFile } from 'node:fs/promises';

// The backend's memory and CPU as Linux reports them in /proc: resident set size now (VmRSS)
// and its peak (VmHWM), and CPU time; the machine's busy share from /proc/stat.

const KIB = 1024;
/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every architecture. */
const TICKS_PER_SECOND = 100;

export type ProcessMemory = {
  /** Resident set size, bytes. */
  rss: number;
  /** Peak resident set size since the start or since the last resetPeakRss(), bytes. */
  peakRss: number;
};

/** VmRSS and VmHWM from the text of /proc/<pid>/status. */
export function parseProcStatus(text: string): ProcessMemory {
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) {
      throw new Error(`no ${field} in the process status`);
    }
    return Number(match[1]) * KIB;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** User plus system CPU seconds from the text of /proc/<pid>/stat. */
export function parseProcStatCpuSeconds(text: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error('no utime and stime in the process stat');
  }
  return (utime + stime) / TICKS_PER_SECOND;
}

export type MachineCpu = { busy: number; total: number };

/** Busy and total CPU seconds of all CPUs from the text of /proc/stat (its `cpu` line). */
export function parseMachineCpu(text: string): MachineCpu {
  const line = /^cpu\s+(.*)$/m.exec(text);
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line[1]
    .trim()
    .split(/\s+/)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return {
    busy: busy / TICKS_PER_SECOND,
    total: (busy + idle + iowait) / TICKS_PER_SECOND,
  };
}

export type Sample = {
  at: number;
  rss: number;
  peakRss: number;
  /** The process's CPU seconds so far. */
  cpuSeconds: number;
  machine: MachineCpu;
};

export async function readSample(pid: number): Promise<Sample> {
  const [status, stat, machine] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile('/proc/stat', 'utf8'),
  ]);
  return {
    at: Date.now(),
    ...parseProcStatus(status),
    cpuSeconds: parseProcStatCpuSeconds(stat),
    machine: parseMachineCpu(machine),
  };
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`echo 5 > clear_refs`, Linux 4.0
 * and later, for a process of the same user), so that the next peak read is the peak since
 * now. Returns false when the kernel refuses; the sampled peak is then all there is.
 */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples a process every `intervalMs` until stopped, keeping every sample: the peak of the
 * sampled RSS and the samples of any interval (a phase of the run) come from them.
 */
export class ProcessSampler {
  readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;
  private pending?: Promise<void>;
  private failure?: Error;

  constructor(
    private readonly pid: number,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<Sample> {
    const first = await readSample(this.pid);
    this.samples.push(first);
    this.timer = setInterval(() => {
      // One read at a time: a slow read skips ticks rather than piling up.
      if (this.pending) return;
      this.pending = readSample(this.pid)
        .then(sample => {
          this.samples.push(sample);
        })
        .catch(error => {
          this.failure ??= error;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }, this.intervalMs);
    return first;
  }

  /** Stops sampling after one last sample, and returns it. */
  async stop(): Promise<Sample> {
    clearInterval(this.timer);
    await this.pending;
    if (this.failure) {
      throw new Error(
        `sampling process ${this.pid} failed: ${this.failure.message}`,
      );
    }
    const last = await readSample(this.pid);
    this.samples.push(last);
    return last;
  }
}

/** What the samples from `from` to `to` (epoch ms) show; undefined without samples there. */
export function summarizeSamples(
  samples: Sample[],
  from: number,
  to: number,
):
  | {
      peakRss: number;
      endRss: number;
      cpuSeconds: number;
      /** The process's CPU time ÷ the wall time, in cores (1 = one core busy throughout). */
      cores: number;
      /** The whole machine's busy share over the interval, 0 to 1. */
      machineBusy: number;
    }
  | undefined {
  // The interval's samples, with the last sample before it as the baseline of the counters.
  const before = samples.filter(sample => sample.at <= from).pop();
  const inside = samples.filter(sample => sample.at > from && sample.at <= to);
  if (inside.length === 0) return undefined;
  const first = before ?? inside[0];
  const last = inside[inside.length - 1];
  const seconds = (last.at - first.at) / 1000;
  const cpuSeconds = last.cpuSeconds - first.cpuSeconds;
  const machineTotal = last.machine.total - first.machine.total;
  return {
    peakRss: Math.max(...inside.map(sample => sample.rss)),
    endRss: last.rss,
    cpuSeconds,
    cores: seconds > 0 ? cpuSeconds / seconds : Number.NaN,
    machineBusy:
      machineTotal > 0
        ? (last.machine.busy - first.machine.busy) / machineTotal
        : Number.NaN,
  };
}
