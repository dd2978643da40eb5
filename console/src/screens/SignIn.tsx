/** Sign-in: an administrator of one system, with the password that system keeps (the system issues the token). */
import { useEffect, useState } from 'react';
import { Api, str } from '../api.js';
import type { Session } from '../session.js';
import { asApiError, Choice, ErrorBanner, TextField } from '../ui.js';
import type { ApiError } from '../api.js';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [systems, setSystems] = useState<Array<{ name: string; description: string | null }>>([]);
  const [system, setSystem] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Introspection is open without a token: the systems are the root fields.
    new Api(null)
      .request<{ __schema: { queryType: { fields: Array<{ name: string; description: string | null }> } } }>('{ __schema { queryType { fields { name description } } } }')
      .then(({ data }) => {
        const found = data.__schema.queryType.fields.filter((f) => !f.name.startsWith('_'));
        setSystems(found);
        setSystem((current) => current || found[0]?.name || '');
      })
      .catch((e: unknown) => setError(asApiError(e)));
  }, []);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await new Api(null).mutate<Record<string, { signIn: { token: string; subject: string; expiresAt: string } }>>(
        `mutation { ${system} { signIn(username: ${str(username)}, password: ${str(password)}) { token subject expiresAt } } }`,
      );
      const signedIn = answer[system]!.signIn;
      onSignedIn({ system, subject: signedIn.subject, token: signedIn.token, expiresAt: signedIn.expiresAt });
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>mcx-mutual-aid</h1>
      <p>Sign in as an administrator of your system.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Choice label="System" name="system" value={system} onChange={setSystem} options={systems.map((x) => x.name)} required />
        <TextField label="Username" name="username" autoComplete="username" value={username} onChange={setUsername} required />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={setPassword} required />
        <button type="submit" disabled={busy || !system}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorBanner error={error} />
      </form>
      <p className="hint">
        Demo: <code>admin@north</code> / <code>north-admin-demo</code> (likewise south, east).
      </p>
    </main>
  );
}
