/**
 * Administrators' accounts at their own system: who may sign in to the console, and the lockout
 * that slows down guessing. Pure rules: no GraphQL, no SQL, no I/O.
 */
import { ErrorCode } from './errors.js';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;
/** After this many wrong passwords in a row, the account is locked for LOCK_SECONDS. */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_SECONDS = 60;

type Verdict = { ok: true } | { ok: false; code: ErrorCode; reason: string };

/** A username is the administrator's subject in tokens (e.g. admin@north, or an MC service ID). */
export function checkUsername(username: string): Verdict {
  if (!/^[A-Za-z0-9._:@+-]{1,100}$/.test(username)) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: 'a username is 1 to 100 letters, digits or . _ : @ + -' };
  }
  return { ok: true };
}

export function checkPassword(password: string): Verdict {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    return { ok: false, code: ErrorCode.BAD_USER_INPUT, reason: `a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters` };
  }
  return { ok: true };
}

export interface LockState {
  failedAttempts: number;
  lockedUntil: Date | null;
}

/** Whether an account may try to sign in now. */
export function isLocked(state: LockState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** The account after a wrong password: locked once too many came in a row. */
export function afterFailure(state: LockState, now: Date): LockState {
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts >= MAX_FAILED_ATTEMPTS) return { failedAttempts: 0, lockedUntil: new Date(now.getTime() + LOCK_SECONDS * 1000) };
  return { failedAttempts, lockedUntil: null };
}

export const AFTER_SUCCESS: LockState = { failedAttempts: 0, lockedUntil: null };
