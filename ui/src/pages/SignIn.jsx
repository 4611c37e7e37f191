import { useState } from "preact/hooks";
import { request, session } from "../api.js";
import { PageTitle } from "../components/common.jsx";

export function SignIn({ reason, onSignedIn }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) { setError("Paste an API key to sign in."); return; }
    setBusy(true);
    setError("");
    try {
      const { data } = await request("GET", "/api/v1/me", { key: trimmed });
      session.save(trimmed);
      onSignedIn(data);
    } catch (err) {
      setError(err.status === 401
        ? "That API key was not accepted: it is unknown, revoked or expired. Check it and try again."
        : err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <PageTitle title="Sign in">Sign in to Accord</PageTitle>
      <p>Accord keeps the contracts of your data assets and the proposals waiting for your team.
        Paste an API key to see what your team owns, consumes and must answer.</p>
      {reason ? <p class="notice" role="status">{reason}</p> : null}
      <form onSubmit={submit} noValidate>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck={false} value={key}
          aria-describedby="key-help" aria-invalid={error ? "true" : undefined}
          onInput={(e) => setKey(e.currentTarget.value)} />
        <p id="key-help" class="muted">It starts with <code>acc_</code>. It stays in this browser tab only and is
          forgotten when you close it.</p>
        {error ? <p class="error" role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
