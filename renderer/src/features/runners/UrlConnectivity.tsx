import { useState } from 'react';
import { errorMessage } from '../../lib/callError.ts';
import { useAction } from '../../lib/calls.ts';
import { ConnectivitySteps } from './ConnectivitySteps.tsx';

/**
 * The runbooks' test-connectivity --url: any http(s) URL, not only a service's, through the same call and
 * the same layered check (DNS, TCP, TLS, a GET without a credential). The host checks the URL; a malformed
 * one or another scheme comes back as the problem, shown here.
 */
export function UrlConnectivity() {
  const [url, setUrl] = useState('');
  const connectivity = useAction('runners.connectivity');
  return (
    <div>
      <form
        className="filters-row"
        aria-label="Test a URL"
        onSubmit={(event) => {
          event.preventDefault();
          connectivity.mutate({ url: url.trim() });
        }}
      >
        <label className="field field-grow">
          <span>URL to test (http or https)</span>
          <input type="text" inputMode="url" value={url} onChange={(event) => setUrl(event.target.value)} maxLength={2048} placeholder="https://api.example.com" spellCheck={false} />
        </label>
        <button type="submit" aria-label="Test connectivity of the URL" disabled={connectivity.isPending || url.trim() === ''}>
          {connectivity.isPending ? 'Testing…' : 'Test connectivity'}
        </button>
      </form>
      {connectivity.isError ? (
        <p role="alert" className="text-bad small">
          {errorMessage(connectivity.error)}
        </p>
      ) : null}
      {connectivity.data?.services.map((result) => <ConnectivitySteps key={result.url} result={result} />)}
    </div>
  );
}
