// The start-up (or stop, or scale) as one visible sequence of steps, the newest kept in view; a
// progress event replaces the one before it for the same step of the same service.
import { useEffect, useRef, useState } from 'react';
import type { StackEvent, StackSnapshot } from '../../../main/contract';
import { useClient } from '../../state/app';

/** The steps heard since the last clear(). */
export function useSteps(): { steps: StackEvent[]; clear: () => void } {
  const client = useClient();
  const [steps, setSteps] = useState<StackEvent[]>([]);
  useEffect(() => client.on('stack:progress', (e) => {
    if (e.state === 'progress' && !e.progress) return;
    setSteps((list) => [...list.filter((x) => !(e.state === 'progress' && x.state === 'progress' && x.service === e.service && x.step === e.step)), e].slice(-200));
  }), [client]);
  return { steps, clear: () => setSteps([]) };
}

export function Steps({ steps, busy }: { steps: StackEvent[]; busy: StackSnapshot['busy'] }) {
  const stepsEnd = useRef<HTMLLIElement>(null);
  // Keep the newest step in view as the sequence grows.
  useEffect(() => {
    stepsEnd.current?.scrollIntoView({ block: 'nearest' });
  }, [steps]);
  if (!steps.length) return null;
  return (

    <section className="card steps" aria-label="Progress">
      <h2>{busy === 'up' ? 'Starting the stack' : busy === 'down' ? 'Stopping the stack' : busy === 'scale' ? 'Scaling' : 'Last run'}</h2>
      {/* Scrolls past 320 px: focusable, so a keyboard can scroll it too. */}
      <ol tabIndex={0} aria-label="Steps">
        {steps.map((e, i) => (
          <li key={i} className={e.state} ref={i === steps.length - 1 ? stepsEnd : undefined}>
            <span className="mark">{{ started: '…', progress: '…', done: '✓', skipped: '·', failed: '✗' }[e.state]}</span>{' '}
            {e.message}{e.progress ? ` ${Math.round((e.progress.current / Math.max(1, e.progress.total)) * 100)}%` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
