/**
 * Live updates without reloading: the console follows, through the gateway's subscriptions, the change
 * feed this system keeps for each partner it has an active agreement with (what it sends) and the
 * feed each such partner keeps for it (what it receives). Events make the screens read again: soon
 * (once for a burst of events) and once more a moment after the last one, as a partner's message
 * reaches this system's store just after the partner wrote it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api } from './api.js';

export interface LiveState {
  /** Increases on every change seen (screens read again when it does). */
  tick: number;
  connected: boolean;
  /** Asks every screen to read again (after the administrator's own actions too). */
  refresh: () => void;
}

const SOON_MS = 150;
const AGAIN_MS = 1500;

export function useLive(api: Api, system: string): LiveState {
  const [tick, setTick] = useState(0);
  const [connected, setConnected] = useState(false);
  const [partners, setPartners] = useState<string[]>([]);
  const soon = useRef<number | null>(null);
  const again = useRef<number | null>(null);

  // Many events at once (a partner's bulk change) make one read now-ish and one a moment later, not one each.
  const refresh = useCallback(() => {
    const bump = () => setTick((t) => t + 1);
    if (soon.current === null) {
      soon.current = window.setTimeout(() => {
        soon.current = null;
        bump();
      }, SOON_MS);
    }
    if (again.current !== null) window.clearTimeout(again.current);
    again.current = window.setTimeout(() => {
      again.current = null;
      bump();
    }, AGAIN_MS);
  }, []);

  // Which partners to follow: those with an active agreement (read again on every tick).
  useEffect(() => {
    let stale = false;
    api
      .request<Record<string, { agreements: Array<{ partnerSystem: string; status: string }> }>>(`{ ${system} { agreements { partnerSystem status } } }`)
      .then(({ data }) => {
        if (stale) return;
        const active = data[system]!.agreements.filter((a) => a.status === 'ACTIVE').map((a) => a.partnerSystem).sort();
        setPartners((current) => (current.join() === active.join() ? current : active));
      })
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [api, system, tick]);

  useEffect(() => {
    const stops: Array<() => void> = [];
    const follow = (query: string) =>
      stops.push(
        api.subscribe(query, {
          next: refresh,
          // An ended subscription (agreement no longer active) is news too.
          error: refresh,
          connected: setConnected,
        }),
      );
    for (const partner of partners) {
      follow(`subscription { ${system}(partner: ${JSON.stringify(partner)}) { cursor } }`);
      follow(`subscription { ${partner}(partner: ${JSON.stringify(system)}) { cursor } }`);
    }
    if (partners.length === 0) setConnected(true);
    return () => stops.forEach((stop) => stop());
  }, [api, system, partners, refresh]);

  useEffect(
    () => () => {
      for (const timer of [soon.current, again.current]) if (timer !== null) window.clearTimeout(timer);
    },
    [],
  );

  return { tick, connected, refresh };
}
