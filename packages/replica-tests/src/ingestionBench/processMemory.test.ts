import {
  parseMachineCpu,
  parseProcStatCpuSeconds,
  parseProcStatus,
  readSample,
  Sample,
  summarizeSamples,
} from './processMemory';

const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t 1500000 kB
VmSize:\t 1400000 kB
VmHWM:\t  650424 kB
VmRSS:\t  543520 kB
RssAnon:\t  500000 kB
Threads:\t11
`;

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in bytes', () => {
    expect(parseProcStatus(STATUS)).toEqual({
      rss: 543_520 * 1024,
      peakRss: 650_424 * 1024,
    });
  });

  it('fails on a status without them (a process that is gone, a kernel thread)', () => {
    expect(() => parseProcStatus('Name:\tkthreadd\n')).toThrow(
      'no VmRSS in the process status',
    );
  });
});

describe('parseProcStatCpuSeconds', () => {
  it('adds utime and stime, counting fields after the command name', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const stat =
      '4242 (node main (x)) S 1 4242 4242 0 -1 4194304 1000 0 0 0 1234 266 0 0 20 0 11 0 100';
    expect(parseProcStatCpuSeconds(stat)).toBe(15);
  });
});

describe('parseMachineCpu', () => {
  it('counts busy and total time of all CPUs, iowait as idle', () => {
    const stat = `cpu  100 20 80 700 50 10 40 0 0 0
cpu0 50 10 40 350 25 5 20 0 0 0
intr 12345`;
    expect(parseMachineCpu(stat)).toEqual({ busy: 2.5, total: 10 });
  });
});

describe('readSample', () => {
  it('reads this very process', async () => {
    const sample = await readSample(process.pid);
    expect(sample.rss).toBeGreaterThan(0);
    expect(sample.peakRss).toBeGreaterThanOrEqual(sample.rss);
    expect(sample.cpuSeconds).toBeGreaterThan(0);
    expect(sample.machine.total).toBeGreaterThan(sample.machine.busy);
  });
});

describe('summarizeSamples', () => {
  const sample = (
    at: number,
    rss: number,
    cpuSeconds: number,
    busy: number,
  ): Sample => ({
    at,
    rss,
    peakRss: rss,
    cpuSeconds,
    machine: { busy, total: at / 1000 },
  });
  const samples = [
    sample(1_000, 100, 0, 0),
    sample(2_000, 300, 1, 0.5),
    sample(3_000, 200, 1.5, 1),
    sample(5_000, 150, 3.5, 3),
  ];

  it('takes the peak inside the interval and the counters from the sample before it', () => {
    expect(summarizeSamples(samples, 1_000, 3_000)).toEqual({
      peakRss: 300,
      endRss: 200,
      cpuSeconds: 1.5,
      cores: 0.75,
      machineBusy: 0.5,
    });
    expect(summarizeSamples(samples, 3_000, 5_000)).toEqual({
      peakRss: 150,
      endRss: 150,
      cpuSeconds: 2,
      cores: 1,
      machineBusy: 1,
    });
  });

  it('has nothing to say of an interval without samples', () => {
    expect(summarizeSamples(samples, 3_100, 4_900)).toBeUndefined();
  });
});
