import { useState } from 'preact/hooks';
import { ApiError, type Session } from '../api/session';

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Wrong e-mail or password.',
  TOO_MANY_REQUESTS: 'Too many attempts: wait a few minutes and try again.',
};

export function LoginView({ session, notice }: { session: Session; notice: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    // With the overview's mark (see OverviewView): the time from signing in to a live overview.
    performance.mark('plantgraph:login-submitted');
    setBusy(true);
    setError(null);
    try {
      await session.login(email, password);
    } catch (e) {
      setError(e instanceof ApiError ? (MESSAGES[e.code ?? ''] ?? e.message) : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <h1>Plantgraph</h1>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label for="email">E-mail</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
