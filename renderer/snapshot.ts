// The stack's live state for any view that needs it (Grafana's address, whether a service runs):
// the current snapshot, then every change pushed by the Node side.
import { useEffect, useState } from 'react';
import type { ContractClient, ServiceStatus, StackSnapshot } from '../main/contract';
import { ClientError } from './client';

/** The snapshot, and why the first one could not be had (if it could not). */
export function useSnapshot(client: ContractClient): { snap: StackSnapshot | undefined; error: ClientError | undefined } {
  const [snap, setSnap] = useState<StackSnapshot | undefined>();
  const [error, setError] = useState<ClientError | undefined>();
  useEffect(() => {
    const off = client.on('stack:snapshot', setSnap);
    client.request('stack:status', {}).then(setSnap, (e: unknown) => setError(e instanceof ClientError ? e : new ClientError('INTERNAL', String(e))));
    return off;
  }, [client]);
  return { snap, error };
}

/** Where a running service's container port is published on this machine, if it is. */
export function publishedBase(s: ServiceStatus | undefined, containerPort: number): string | undefined {
  if (s?.state !== 'running') return undefined;
  const p = s.ports.find((x) => x.containerPort === containerPort);
  if (!p) return undefined;
  const host = p.host === '0.0.0.0' || p.host === '' ? '127.0.0.1' : p.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${p.hostPort}`;
}
