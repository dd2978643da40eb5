/**
 * Live updates without reloading: the console follows, through the gateway's subscriptions, the change
 * feed this system keeps for each partner it has an active agreement with (what it sends) and the
 * feed each such partner keeps for it (what it receives). Every event makes the screens read again —
 * at once and once more a moment later, as a partner's message reaches this system's store just
 * after the partner wrote it.
 */
import { useEffect, useRef, useState } from 'react';
import type { Api } from './api.js';

export interface LiveState {
  /** Increases on every change seen (screens read again when it does). */
  tick: number;
  connected: boolean;
  /** Asks every screen to read again (after the administrator's own actions too). */
  refresh: () => void;
}

const AGAIN_MS = 1500;

export function useLive(api: Api, system: string): LiveState {
  const [tick, setTick] = useState(0);
  const [connected, setConnected] = useState(false);
  const [partners, setPartners] = useState<string[]>([]);
  const timers = useRef<number[]>([]);

  const bump = () => setTick((t) => t + 1);
  const refresh = () => {
    bump();
    timers.current.push(window.setTimeout(bump, AGAIN_MS));
  };

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
  }, [api, system, partners]);

  useEffect(() => () => timers.current.forEach((t) => window.clearTimeout(t)), []);

  return { tick, connected, refresh };
}
