import { useState } from 'preact/hooks';
import { ApiError } from '../api';

const refusal = (error: unknown): string =>
  error instanceof ApiError && error.status === 401
    ? 'Slipway did not accept that key. Check it was copied whole and has not been revoked.'
    : `Could not sign in: ${error instanceof Error ? error.message : String(error)}`;

export const SignIn = ({ signIn }: { signIn: (key: string) => Promise<void> }) => {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await signIn(key.trim());
    } catch (error) {
      setProblem(refusal(error));
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Slipway</h1>
      <form onSubmit={(event) => void submit(event)}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <p class="muted">Kept for this browser tab only, and sent only to this Slipway.</p>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        {problem ? (
          <p class="problem" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
    </main>
  );
};
