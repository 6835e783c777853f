// Another Obsdeck process (a terminal's `obsdeck apply`, a second window) is changing the stack:
// said in the header of every view as soon as the lock file names it, without a click. The
// buttons that change the stack are disabled meanwhile; a config Apply waits its turn.
import { useSnapshot } from '../state/app';

export function BusyBy() {
  const { snap } = useSnapshot();
  if (!snap?.busyBy) return null;
  return <span role="status" className="warn" aria-label="Busy elsewhere">Busy: {snap.busyBy}</span>;
}
