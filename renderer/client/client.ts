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

/** The contract over a WebSocket that reconnects by itself; requests wait for the connection. */
export function webSocketClient(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`): ContractClient & { onConnection(l: (up: boolean) => void): () => void } {
  let ws: WebSocket | undefined;
  let nextId = 1;
  let open: Promise<WebSocket> | undefined;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const connectionListeners = new Set<(up: boolean) => void>();
  let retry = 250;

  const connect = (): Promise<WebSocket> => {
    open ??= new Promise<WebSocket>((resolve) => {
      const socket = new WebSocket(url);
      socket.onopen = () => {
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
      socket.onclose = () => {
        const wasOpen = ws === socket;
        ws = undefined;
        open = undefined;
        for (const [, p] of pending) p.reject(new ClientError('INTERNAL', 'the connection to Obsdeck was lost; retrying'));
        pending.clear();
        if (wasOpen) connectionListeners.forEach((l) => l(false));
        setTimeout(() => void connect().then(resolve), retry);
        retry = Math.min(retry * 2, 5000);
      };
    });
    return open;
  };
  void connect();

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
    onConnection(l: (up: boolean) => void): () => void {
      connectionListeners.add(l);
      return () => connectionListeners.delete(l);
    },
  };
}

/** The contract over Electron IPC, through the preload's one object. */
export function ipcClient(bridge: PreloadBridge): ContractClient & { onConnection(l: (up: boolean) => void): () => void } {
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
export function contractClient(): ContractClient & { onConnection(l: (up: boolean) => void): () => void } {
  const bridge = preloadBridge();
  return bridge ? ipcClient(bridge) : webSocketClient();
}
