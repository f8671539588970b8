import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every 250 ms until it yields a value (a rejection counts as not yet), or throws
 * after `timeoutMs` naming `what` it waited for.
 */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}
