// The preload: exposes one typed object, `window.obsdeck`, and nothing else. It forwards contract
// requests and events over IPC; the page never sees ipcRenderer or any Node API. Bundled to
// CommonJS (sandboxed preloads cannot be ES modules) by scripts/build-electron.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const bridge = {
  request: (channel: string, args: unknown): Promise<unknown> => ipcRenderer.invoke('contract:request', channel, args),
  on: (event: string, listener: (payload: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on('contract:event', wrapped);
    return () => ipcRenderer.removeListener('contract:event', wrapped);
  },
  /** Grafana in its own view over the given page rectangle (main checks the URL is Grafana's). */
  grafana: {
    show: (url: string, rect: { x: number; y: number; width: number; height: number }): Promise<{ ok: boolean; message?: string }> => ipcRenderer.invoke('grafana:show', url, rect),
    hide: (): Promise<unknown> => ipcRenderer.invoke('grafana:hide'),
  },
};

contextBridge.exposeInMainWorld('obsdeck', bridge);
export type PreloadBridge = typeof bridge;
