// The Electron window's security settings and checks, as plain functions so they are unit-tested
// where no Electron binary exists (Electron's security checklist: isolation, sandbox, no Node in
// the page, a strict CSP, navigation and new windows locked, permissions denied, IPC senders checked).

/** The app's own origin: the renderer is served from this custom scheme, never from file://. */
import path from 'node:path';

export const APP_SCHEME = 'obsdeck';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

export interface WindowPrefs {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  disableBlinkFeatures: string;
  preload: string;
}

export function webPreferences(preload: string): WindowPrefs {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // A middle click must not open a link in a new window behind the window-open handler's back.
    disableBlinkFeatures: 'Auxclick',
    preload,
  };
}

/** May the window navigate to `url`? Only within the app. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** Links the app may hand to the system browser: the stack's own published ports on this machine. */
export function isOpenableExternally(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** An IPC message is answered only when it comes from the app's own top frame. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/** Every permission the page may ask for (camera, notifications, geolocation, ...) is refused. */
export const permissionDecision = (): false => false;

/** A file under the built renderer for an app URL, or undefined when it would leave it. */
export function rendererPath(url: string, root: string): string | undefined {
  const u = new URL(url);
  const rel = decodeURIComponent(u.pathname) === '/' ? 'index.html' : decodeURIComponent(u.pathname).replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  return full.startsWith(path.resolve(root) + path.sep) ? full : undefined;
}

export interface Bounds { x?: number; y?: number; width: number; height: number }

/** Remembered window bounds, sane when the file is missing or from another screen setup. */
export function restoreBounds(saved: unknown, screen: { width: number; height: number }): Bounds {
  const b = saved as Partial<Bounds> | undefined;
  const width = Math.min(Math.max(Number(b?.width) || 1280, 900), screen.width);
  const height = Math.min(Math.max(Number(b?.height) || 800, 600), screen.height);
  const onScreen = (v: unknown, size: number, max: number) => typeof v === 'number' && v >= 0 && v + size <= max;
  return onScreen(b?.x, width, screen.width) && onScreen(b?.y, height, screen.height) ? { x: b!.x!, y: b!.y!, width, height } : { width, height };
}

/**
 * Grafana's own view in the window: a separate web contents with no preload (no bridge to the
 * app), sandboxed, in its own session (its cookies are not the app's), on Grafana's origin only.
 */
export function grafanaViewPreferences(): Omit<WindowPrefs, 'preload' | 'disableBlinkFeatures'> & { partition: string; disableBlinkFeatures: string } {
  const prefs: Partial<WindowPrefs> = webPreferences('');
  delete prefs.preload;
  return { ...(prefs as Omit<WindowPrefs, 'preload'>), partition: 'persist:grafana' };
}

/** Grafana's origin from its published address: http on this machine, nothing else. */
export function grafanaOrigin(base: string): string | undefined {
  try {
    const u = new URL(base);
    return isOpenableExternally(base) && u.pathname === '/' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** May the Grafana view show (or navigate to) `url`? Only pages of that Grafana. */
export function isGrafanaUrl(url: string, origin: string | undefined): boolean {
  if (!origin) return false;
  try {
    const u = new URL(url);
    return u.origin === origin && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Where the Grafana view goes in the window: the page's placeholder, in whole pixels, inside the window. */
export function viewBounds(rect: unknown, content: { width: number; height: number }): { x: number; y: number; width: number; height: number } | undefined {
  const r = rect as Partial<Record<'x' | 'y' | 'width' | 'height', unknown>> | undefined;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : NaN);
  const x = Math.max(0, n(r?.x));
  const y = Math.max(0, n(r?.y));
  const width = Math.min(n(r?.width), content.width - x);
  const height = Math.min(n(r?.height), content.height - y);
  return [x, y, width, height].every(Number.isFinite) && width > 0 && height > 0 ? { x, y, width, height } : undefined;
}

/** What the guard uses of a webContents (Electron's has these; tests pass a recorded stand-in). */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview', listener: (event: { url?: string; preventDefault(): void }, url?: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Keeps a webContents where it belongs: every navigation — a link, a server's redirect, a
 * subframe's — is refused unless `allowed(url)`; webviews are never attached; new windows are
 * denied (and `openExternally(url)` is asked, for the app's own links to the stack's pages).
 * Electron gives will-frame-navigate only the event (with `url`), the others the URL as well.
 */
export function guardNavigation(contents: GuardedContents, allowed: (url: string) => boolean, openExternally?: (url: string) => void): void {
  const guard = (event: { url?: string; preventDefault(): void }, url?: string) => {
    const to = url ?? event.url ?? '';
    if (!allowed(to)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally?.(url);
    return { action: 'deny' };
  });
}
