/** The signed-in administrator: kept for this browser tab only (sessionStorage), until sign-out or expiry. */
export interface Session {
  system: string;
  subject: string;
  token: string;
  expiresAt: string;
}

const KEY = 'mcx-console-session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}
