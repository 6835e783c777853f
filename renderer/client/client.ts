// The renderer's one way to the Node side: the contract of main/contract.ts, over Electron's
// preload bridge when there is one, otherwise over `obsdeck serve`'s WebSocket. Errors arrive
// as data and become ClientErrors (real Errors with the contract's code and readable message).
import type { Channel, ConfigProblem, ContractClient, ContractError, EventName, Events, PreloadBridge, Replies, RequestArgs, ServerMessage } from '../../main/contract';

export class ClientError extends Error {
  readonly details: string[];
  /** A refused config's problems, as Validate gives them. */
  readonly problems: ConfigProblem[];
  constructor(readonly code: ContractError['code'], message: string, details: string[] = [], problems: ConfigProblem[] = []) {
    super(message);
    this.name = 'ClientError';
    this.details = details;
    this.problems = problems;
  }

  static of(e: ContractError): ClientError {
    return new ClientError(e.code, e.message, e.details, e.problems);
  }
}

/** Any failure as a ClientError (a thrown non-contract error is INTERNAL). */
export function asClientError(e: unknown): ClientError {
  return e instanceof ClientError ? e : new ClientError('INTERNAL', e instanceof Error ? e.message : String(e));
}

/** The Electron preload's object, when the page runs in the desktop window. */
export function preloadBridge(): PreloadBridge | undefined {
  return (window as unknown as { obsdeck?: PreloadBridge }).obsdeck;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** obsdeck serve's close code for a socket without the right token (serve.ts WS_UNAUTHORIZED). */
const UNAUTHORIZED = 4401;
/** What the page says when it has no token, or a stale one. */
export const NO_TOKEN = 'Open the URL `obsdeck serve` printed: it carries the access token (each run of obsdeck serve makes a new one).';

/**
 * The token `obsdeck serve` printed, kept in this origin's storage (127.0.0.1:<port>: no other
 * port can read it, and nothing sends it anywhere by itself, unlike a cookie). Taken from the URL
 * on the first load, which is then rewritten without it; later loads and other tabs of this
 * origin find it stored.
 */
export function serveToken(): string | undefined {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  const key = `obsdeck.token.${location.host}`;
  if (given) {
    localStorage.setItem(key, given);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return given;
  }
  return localStorage.getItem(key) ?? undefined;
}

/** The contract over a WebSocket that reconnects by itself; requests wait for the connection. */
export function webSocketClient(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, token = serveToken()): ContractClient & { onConnection(l: (up: boolean, why?: string) => void): () => void } {
  let ws: WebSocket | undefined;
  let nextId = 1;
  let open: Promise<WebSocket> | undefined;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const connectionListeners = new Set<(up: boolean, why?: string) => void>();
  /** Set once the server refused the token: no retries, every request fails with it. */
  let refused: string | undefined = token ? undefined : NO_TOKEN;
  let retry = 250;

  const connect = (): Promise<WebSocket> => {
    if (refused) return Promise.reject(new ClientError('BAD_REQUEST', refused));
    open ??= new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.onopen = () => {
        // The token first: the server answers nothing before it.
        socket.send(JSON.stringify({ auth: token }));
        ws = socket;
        retry = 250;
        connectionListeners.forEach((l) => l(true));
        resolve(socket);
      };
      socket.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as ServerMessage;
        if ('event' in msg) {
          listeners.get(msg.event)?.forEach((l) => l(msg.payload));
          return;
        }
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(ClientError.of(msg.error));
      };
      socket.onclose = (e) => {
        const wasOpen = ws === socket;
        ws = undefined;
        open = undefined;
        if (e.code === UNAUTHORIZED) refused = NO_TOKEN;
        for (const [, p] of pending) p.reject(new ClientError(refused ? 'BAD_REQUEST' : 'INTERNAL', refused ?? 'the connection to Obsdeck was lost; retrying'));
        pending.clear();
        if (wasOpen || refused) connectionListeners.forEach((l) => l(false, refused));
        if (refused) return reject(new ClientError('BAD_REQUEST', refused));
        setTimeout(() => connect().then(resolve, reject), retry);
        retry = Math.min(retry * 2, 5000);
      };
    });
    return open;
  };
  connect().catch(() => undefined); // refused: said through onConnection

  return {
    async request<C extends Channel>(channel: C, args: RequestArgs<C>): Promise<Replies[C]> {
      const socket = ws ?? (await connect());
      const id = nextId++;
      return new Promise<Replies[C]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, channel, args }));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onConnection(l: (up: boolean, why?: string) => void): () => void {
      connectionListeners.add(l);
      if (refused) l(false, refused);
      return () => connectionListeners.delete(l);
    },
  };
}

/** The contract over Electron IPC, through the preload's one object. */
export function ipcClient(bridge: PreloadBridge): ContractClient & { onConnection(l: (up: boolean, why?: string) => void): () => void } {
  return {
    async request<C extends Channel>(channel: C, args: RequestArgs<C>): Promise<Replies[C]> {
      const r = await bridge.request(channel, args);
      if (!r.ok) throw ClientError.of(r.error);
      return r.result as Replies[C];
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      return bridge.on(event, listener as (p: unknown) => void);
    },
    onConnection: () => () => undefined, // IPC does not drop
  };
}

/** IPC inside the Electron window, the WebSocket in a browser. */
export function contractClient(): ContractClient & { onConnection(l: (up: boolean, why?: string) => void): () => void } {
  const bridge = preloadBridge();
  return bridge ? ipcClient(bridge) : webSocketClient();
}
