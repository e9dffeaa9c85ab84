import { useState } from 'react';

/**
 * Shown without a token, or after a wrong one (`error`, one sentence): the printed URL carries
 * the token.
 */
export function Login({
  error,
  onSubmit,
}: {
  error: string | null;
  onSubmit: (token: string) => void;
}) {
  const [value, setValue] = useState('');
  return (
    <main className="login panel" role="dialog" aria-labelledby="login-title">
      <h2 id="login-title">quorum dashboard: token needed</h2>
      <p className="muted">
        {error ? `${error} ` : ''}
        Open the URL that <code>quorum up</code> or <code>quorum dashboard</code> printed (it
        carries the token), or paste the token here.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <input
          aria-label="token"
          type="password"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="token"
          autoFocus
        />
        <button className="primary" type="submit">
          Open
        </button>
      </form>
    </main>
  );
}
