import { describe, expect, it } from 'vitest';
import { CSP, grafanaOrigin, grafanaViewPreferences, guardNavigation, isAppUrl, isGrafanaUrl, isOpenableExternally, isTrustedSender, permissionDecision, rendererPath, restoreBounds, viewBounds, webPreferences } from './security.js';

describe('the window\'s security settings', () => {
  it('isolates the page, sandboxes it and gives it no Node', () => {
    expect(webPreferences('/app/preload.cjs')).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
      webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, preload: '/app/preload.cjs',
    });
  });

  it('has a CSP without inline or remote scripts', () => {
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(CSP).toContain("object-src 'none'");
  });

  it('navigates only within the app and opens only local stack links outside', () => {
    expect(isAppUrl('obsdeck://app/?view=logs')).toBe(true);
    expect(isAppUrl('https://evil.example/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isOpenableExternally('http://127.0.0.1:9090/')).toBe(true);
    expect(isOpenableExternally('https://evil.example/')).toBe(false);
    expect(isOpenableExternally('http://user:pw@127.0.0.1:9090/')).toBe(false);
    expect(isOpenableExternally('file:///etc/passwd')).toBe(false);
  });

  it('answers IPC only from the app\'s own top frame, and refuses every permission', () => {
    expect(isTrustedSender({ url: 'obsdeck://app/', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'obsdeck://app/', parent: {} })).toBe(false);
    expect(isTrustedSender({ url: 'http://127.0.0.1:3000/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(permissionDecision()).toBe(false);
  });

  it('serves files only from inside the built renderer', () => {
    const root = '/app/dist/renderer';
    expect(rendererPath('obsdeck://app/', root)).toBe('/app/dist/renderer/index.html');
    expect(rendererPath('obsdeck://app/assets/index.js', root)).toBe('/app/dist/renderer/assets/index.js');
    expect(rendererPath('obsdeck://app/..%2F..%2Fsecrets.json', root)).toBeUndefined();
  });

  it('remembers window bounds, and ignores ones that no longer fit the screen', () => {
    const screen = { width: 1920, height: 1080 };
    expect(restoreBounds({ x: 100, y: 50, width: 1400, height: 900 }, screen)).toEqual({ x: 100, y: 50, width: 1400, height: 900 });
    expect(restoreBounds({ x: 3000, y: 50, width: 1400, height: 900 }, screen)).toEqual({ width: 1400, height: 900 });
    expect(restoreBounds(undefined, screen)).toEqual({ width: 1280, height: 800 });
    expect(restoreBounds({ width: 10, height: 10 }, screen)).toEqual({ width: 900, height: 600 });
  });
});

describe('Grafana\'s view in the window', () => {
  it('has no preload, is sandboxed and keeps its own session', () => {
    const p = grafanaViewPreferences();
    expect('preload' in p).toBe(false);
    expect(p).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, partition: 'persist:grafana' });
  });

  it('shows only the running Grafana\'s own pages', () => {
    const origin = grafanaOrigin('http://127.0.0.1:3000/');
    expect(origin).toBe('http://127.0.0.1:3000');
    expect(isGrafanaUrl('http://127.0.0.1:3000/d/poc3-overview?kiosk', origin)).toBe(true);
    for (const bad of ['http://127.0.0.1:9090/graph', 'https://grafana.com/', 'http://user:pw@127.0.0.1:3000/', 'file:///etc/passwd', 'javascript:alert(1)']) expect(isGrafanaUrl(bad, origin), bad).toBe(false);
    expect(isGrafanaUrl('http://127.0.0.1:3000/', undefined)).toBe(false);
    expect(grafanaOrigin('http://10.0.0.5:3000/')).toBeUndefined();
    expect(grafanaOrigin('http://127.0.0.1:3000/evil')).toBeUndefined();
  });

  it('is placed inside the window, in whole pixels', () => {
    expect(viewBounds({ x: 10.4, y: 60.6, width: 1200.2, height: 900 }, { width: 1280, height: 800 })).toEqual({ x: 10, y: 61, width: 1200, height: 739 });
    expect(viewBounds({ x: 0, y: 0, width: 0, height: 100 }, { width: 1280, height: 800 })).toBeUndefined();
    expect(viewBounds({ x: 'a' }, { width: 1280, height: 800 })).toBeUndefined();
  });
});

/** A recorded stand-in for a webContents: the listeners the guard registers, fired as Electron would. */
function recordedContents() {
  const listeners = new Map<string, ((event: { url?: string; preventDefault(): void }, url?: string) => void)[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  return {
    on(name: string, l: (event: { url?: string; preventDefault(): void }, url?: string) => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), l]);
      return this;
    },
    setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' }) {
      openHandler = h;
    },
    /** Fires `name` as Electron does (will-frame-navigate: the URL on the event only); true when refused. */
    fire(name: string, url: string): boolean {
      let prevented = false;
      const event = { url, preventDefault: () => void (prevented = true) };
      for (const l of listeners.get(name) ?? []) {
        if (name === 'will-frame-navigate') l(event);
        else l(event, url);
      }
      return prevented;
    },
    open: (url: string) => openHandler?.({ url }),
  };
}

describe('navigation guard', () => {
  const grafana = grafanaOrigin('http://127.0.0.1:3000/');
  it('keeps Grafana\'s view on that Grafana through links, redirects and subframes', () => {
    const view = recordedContents();
    guardNavigation(view, (url) => isGrafanaUrl(url, grafana));
    for (const kind of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(view.fire(kind, 'http://127.0.0.1:3000/d/poc3'), kind).toBe(false);
      expect(view.fire(kind, 'https://evil.example/'), kind).toBe(true);
      expect(view.fire(kind, 'http://127.0.0.1:9090/'), kind).toBe(true); // another service on 127.0.0.1
    }
    expect(view.fire('will-attach-webview', 'http://127.0.0.1:3000/')).toBe(true);
    expect(view.open('http://127.0.0.1:3000/d/x')).toEqual({ action: 'deny' });
  });

  it('keeps the app\'s window in the app, and opens only the stack\'s links outside', () => {
    const win = recordedContents();
    const opened: string[] = [];
    guardNavigation(win, isAppUrl, (url) => (isOpenableExternally(url) ? opened.push(url) : undefined));
    expect(win.fire('will-redirect', 'obsdeck://app/?view=logs')).toBe(false);
    expect(win.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(win.fire('will-frame-navigate', 'file:///etc/passwd')).toBe(true);
    expect(win.open('http://127.0.0.1:9090/')).toEqual({ action: 'deny' });
    expect(win.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['http://127.0.0.1:9090/']);
  });
});
