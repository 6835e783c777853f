// The preload: exposes one typed object, `window.obsdeck`, and nothing else. It forwards contract
// requests and events over IPC; the page never sees ipcRenderer or any Node API. Bundled to
// CommonJS (sandboxed preloads cannot be ES modules) by scripts/build-electron.ts.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { PreloadBridge, Reply } from '../contract.js';

const bridge: PreloadBridge = {
  request: (channel: string, args: unknown): Promise<Reply> => ipcRenderer.invoke('contract:request', channel, args) as Promise<Reply>,
  on: (event: string, listener: (payload: unknown) => void): (() => void) => {
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on('contract:event', wrapped);
    return () => ipcRenderer.removeListener('contract:event', wrapped);
  },
  grafana: {
    show: (url, rect) => ipcRenderer.invoke('grafana:show', url, rect) as Promise<{ ok: boolean; message?: string }>,
    hide: () => ipcRenderer.invoke('grafana:hide'),
  },
};

contextBridge.exposeInMainWorld('obsdeck', bridge);
