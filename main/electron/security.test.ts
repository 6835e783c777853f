import { describe, expect, it } from 'vitest';
import { CSP, grafanaOrigin, grafanaViewPreferences, isAppUrl, isGrafanaUrl, isOpenableExternally, isTrustedSender, permissionDecision, rendererPath, restoreBounds, viewBounds, webPreferences } from './security.js';

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
