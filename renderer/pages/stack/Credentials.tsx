// The Stack view's note on the stack's own UIs and the credentials that open them.
import { useState } from 'react';
import type { Replies } from '../../../main/contract';
import { useAction } from '../../client/useRequest';
import { useClient, useSnapshot } from '../../state/app';

/**
 * Where the stack's own UIs are and what opens them: Prometheus and Alertmanager take only the
 * stack's user (anything on this machine reaches their ports), Grafana its admin.
 */
export function Credentials() {
  const client = useClient();
  const { snap } = useSnapshot();
  const creds = useAction();
  const [shown, setShown] = useState<Replies['stack:credentials'] | undefined>();
  const [copied, setCopied] = useState<string | undefined>();
  const url = (name: string) => snap?.services.find((s) => s.service === name)?.url;
  const copy = (what: string, text: string) => void navigator.clipboard.writeText(text).then(() => setCopied(what), () => setCopied(undefined));
  return (
    <section className="card credentials" aria-label="Credentials">
      <h2>Opening the stack's own UIs</h2>
      <p>
        Prometheus{url('prometheus') ? <> (<a href={`${url('prometheus')}/`} target="_blank" rel="noreferrer">{url('prometheus')}</a>)</> : ''} and Alertmanager
        {url('alertmanager') ? <> (<a href={`${url('alertmanager')}/`} target="_blank" rel="noreferrer">{url('alertmanager')}</a>)</> : ''} answer only
        the stack's user, generated for this install; Grafana its admin.
      </p>
      {!shown && <button type="button" onClick={() => void creds.run('credentials', () => client.request('stack:credentials', {})).then(setShown)}>Show the user and passwords</button>}
      {shown && (
        <dl>
          <dt>Prometheus, Alertmanager</dt>
          <dd>user <code>{shown.username}</code> <button type="button" onClick={() => copy('stack', shown.password)}>{copied === 'stack' ? 'Password copied' : 'Copy password'}</button></dd>
          <dt>Grafana</dt>
          <dd>user <code>{shown.grafana.username}</code> <button type="button" onClick={() => copy('grafana', shown.grafana.password)}>{copied === 'grafana' ? 'Password copied' : 'Copy password'}</button></dd>
        </dl>
      )}
      {creds.error && <p role="alert" className="bad">{creds.error.message}</p>}
    </section>
  );
}
