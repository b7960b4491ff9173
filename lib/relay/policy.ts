/**
 * In-memory guards of the listener: temporary lockouts after repeated AUTH failures (per IP and
 * per username, like the console's sign-in throttle) and a per-device rate limit (messages per
 * minute, sliding window). Per process: a restart clears them, which only helps the legitimate
 * device that was locked out. The daily quota is counted from the queue (durable).
 */

type Counter = { failures: number; windowStart: number; lockedUntil: number };

export class Lockouts {
  private readonly counters = new Map<string, Counter>();
  constructor(
    private readonly maxFailures: () => number,
    private readonly lockMs: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left on the lock of this key, or 0. */
  lockedFor(key: string): number {
    const c = this.counters.get(key);
    if (!c) return 0;
    const left = c.lockedUntil - this.now();
    return left > 0 ? left : 0;
  }

  /** Counts a failure; returns true when this failure started a lock. */
  fail(key: string): boolean {
    const now = this.now();
    const window = this.lockMs();
    let c = this.counters.get(key);
    if (!c || now - c.windowStart > window) c = { failures: 0, windowStart: now, lockedUntil: 0 };
    c.failures++;
    let locked = false;
    if (c.failures >= this.maxFailures() && c.lockedUntil <= now) {
      c.lockedUntil = now + window;
      c.failures = 0;
      c.windowStart = now;
      locked = true;
    }
    this.counters.set(key, c);
    if (this.counters.size > 100_000) this.prune();
    return locked;
  }

  succeed(key: string): void {
    const c = this.counters.get(key);
    if (c && c.lockedUntil <= this.now()) this.counters.delete(key);
  }

  private prune(): void {
    const now = this.now();
    for (const [k, c] of this.counters) if (c.lockedUntil < now && now - c.windowStart > this.lockMs()) this.counters.delete(k);
  }
}

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one slot of `perMinute` for `key`; false (and nothing taken) when the window is full. */
  take(key: string, perMinute: number): boolean {
    const now = this.now();
    const list = (this.windows.get(key) ?? []).filter((t) => now - t < 60_000);
    if (list.length >= perMinute) {
      this.windows.set(key, list);
      return false;
    }
    list.push(now);
    this.windows.set(key, list);
    return true;
  }
}

/** An SMTP reply as an error for smtp-server callbacks: "550 5.7.1 text" → code 550, message "5.7.1 text". */
export function smtpReply(reply: string): Error & { responseCode: number } {
  const m = reply.match(/^(\d{3}) (.*)$/);
  return Object.assign(new Error(m ? m[2] : reply), { responseCode: m ? Number(m[1]) : 451 });
}
