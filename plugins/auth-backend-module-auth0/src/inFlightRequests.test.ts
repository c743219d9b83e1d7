import { InFlightRequests } from './inFlightRequests';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => (open = resolve));
  return { opened, open };
}

describe('InFlightRequests', () => {
  it('drains only once every request, including one that arrived meanwhile, has finished', async () => {
    const requests = new InFlightRequests();
    const first = gate();
    const second = gate();
    const finished: string[] = [];
    requests.track(async () => {
      await first.opened;
      finished.push('first');
    });
    let drained = false;
    const draining = requests.drain(60_000).then(() => (drained = true));
    requests.track(async () => {
      await second.opened;
      finished.push('second');
    });
    first.open();
    await Promise.resolve();
    await new Promise(setImmediate);
    expect(drained).toBe(false);
    second.open();
    await draining;
    expect(finished).toEqual(['first', 'second']);
  });

  it('says it is closing once draining began', async () => {
    const requests = new InFlightRequests();
    expect(requests.closing).toBe(false);
    await requests.drain(60_000);
    expect(requests.closing).toBe(true);
  });

  it('counts a failed request as finished and hands its error to the caller', async () => {
    const requests = new InFlightRequests();
    await expect(
      requests.track(async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(requests.drain(60_000)).resolves.toBeUndefined();
  });

  it('stops waiting after the timeout', async () => {
    jest.useFakeTimers();
    try {
      const requests = new InFlightRequests();
      requests.track(() => new Promise(() => {}));
      const draining = requests.drain(1_000);
      jest.advanceTimersByTime(1_000);
      await expect(draining).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});
