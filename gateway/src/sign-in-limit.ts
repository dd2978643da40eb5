/**
 * Sign-in attempts per client address: at most SIGN_INS_PER_MINUTE in a minute (a fixed window), on
 * top of each system's lockout per account — so that one address cannot try password after password
 * across many accounts.
 */
import { TtlCache } from '../../common/ttl-cache.js';

export const SIGN_INS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

export class SignInLimit {
  private readonly windows = new TtlCache<{ count: number; resetAt: number }>(10_000);

  constructor(private readonly perMinute = SIGN_INS_PER_MINUTE) {}

  /** Counts an attempt from `address`; the seconds to wait when it is one too many, else null. */
  attempt(address: string, now = Date.now()): number | null {
    const window = this.windows.get(address, now) ?? { count: 0, resetAt: now + WINDOW_MS };
    window.count += 1;
    this.windows.set(address, window, window.resetAt);
    return window.count > this.perMinute ? Math.ceil((window.resetAt - now) / 1000) : null;
  }
}
