/** The administrators' console: sign in to one system, then its partners, inbox, visitors, joint groups, directory as partners see it, and audit. */
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Api } from './api.js';
import { useLive } from './live.js';
import { Audit } from './screens/Audit.js';
import { Directory } from './screens/Directory.js';
import { Inbox } from './screens/Inbox.js';
import { JointGroups } from './screens/JointGroups.js';
import { Partners } from './screens/Partners.js';
import { SignIn } from './screens/SignIn.js';
import { Visitors } from './screens/Visitors.js';
import { loadSession, saveSession, type Session } from './session.js';
import { Console, useConsole, useQuery } from './ui.js';
import './styles.css';

const SCREENS = [
  { id: 'inbox', label: 'Inbox', view: Inbox },
  { id: 'partners', label: 'Partners', view: Partners },
  { id: 'visitors', label: 'Visitors', view: Visitors },
  { id: 'groups', label: 'Joint groups', view: JointGroups },
  { id: 'directory', label: 'As partners see us', view: Directory },
  { id: 'audit', label: 'Audit', view: Audit },
] as const;

type ScreenId = (typeof SCREENS)[number]['id'];

function screenFromHash(): ScreenId {
  const id = location.hash.slice(1);
  return (SCREENS.find((s) => s.id === id)?.id ?? 'inbox') as ScreenId;
}

function PendingCount() {
  const { system } = useConsole();
  const q = useQuery<Record<string, { pendingRequests: Array<{ id: string }> }>>(`{ ${system} { pendingRequests { id } } }`);
  const n = q.data?.[system]?.pendingRequests.length ?? 0;
  return n > 0 ? <span className="badge" aria-label={`${n} waiting`}>{n}</span> : null;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const api = useMemo(() => new Api(session.token, onSignOut), [session.token, onSignOut]);
  useEffect(() => () => api.close(), [api]);
  const live = useLive(api, session.system);
  const [screen, setScreen] = useState<ScreenId>(screenFromHash);
  useEffect(() => {
    const onHash = () => setScreen(screenFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const View = SCREENS.find((s) => s.id === screen)!.view;
  return (
    <Console.Provider value={{ api, system: session.system, subject: session.subject, live }}>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <strong>{session.system}</strong> <span className="muted">mutual aid console</span>
        </div>
        <nav aria-label="Screens">
          {SCREENS.map((s) => (
            <a key={s.id} href={`#${s.id}`} aria-current={s.id === screen ? 'page' : undefined}>
              {s.label}
              {s.id === 'inbox' && <PendingCount />}
            </a>
          ))}
        </nav>
        <div className="who">
          <span className={live.connected ? 'live on' : 'live off'} title={live.connected ? 'Live updates on' : 'Reconnecting…'} aria-label={live.connected ? 'Live updates on' : 'Live updates reconnecting'}>
            ●
          </span>{' '}
          {session.subject}{' '}
          <button type="button" onClick={live.refresh}>
            Refresh
          </button>{' '}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="content" tabIndex={-1}>
        <View />
      </main>
    </Console.Provider>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const signOut = useMemo(
    () => () => {
      saveSession(null);
      setSession(null);
    },
    [],
  );
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return <Shell session={session} onSignOut={signOut} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
