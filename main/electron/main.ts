// The Electron main process, kept thin: a window on the app's own scheme with the settings of
// security.ts, the contract over IPC (every message's sender checked), a tray with the stack's
// state and Start/Stop, a notification when a service dies or an alert fires (closed when it
// resolves, counted on the tray and badge), one instance, remembered bounds.
// Everything it does is main/host/ (the contract over IPC is ./ipc.ts); this file only wires Electron to it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, net, Notification, protocol, screen, session, shell, Tray, WebContentsView } from 'electron';
import type { AlertNotice, ServiceStatus, StackSnapshot } from '../contract.js';
import { FiringAlerts, notificationFor } from './notices.js';
import { APP_ORIGIN, APP_SCHEME, CSP, grafanaOrigin, grafanaViewPreferences, guardNavigation, isAppUrl, isGrafanaUrl, isOpenableExternally, isTrustedSender, permissionDecision, rendererPath, restoreBounds, viewBounds, webPreferences } from './security.js';

const appRoot = app.getAppPath();
// An installer built with OBSDECK_BUNDLE_IMAGES=1 carries the stack's images; the host imports them on first start.
if (app.isPackaged) process.env.OBSDECK_BUNDLED_IMAGES ??= path.join(process.resourcesPath, 'images', 'obsdeck-images.tar');
process.env.OBSDECK_SHIPPED_DIR ??= app.isPackaged ? path.join(process.resourcesPath, 'observability') : path.join(appRoot, 'observability');
const { Host } = await import('../host/host.js');
const { IpcContract } = await import('./ipc.js');
const { dataDir } = await import('../config/store.js');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

const rendererRoot = path.join(appRoot, 'dist', 'renderer');
const boundsFile = () => path.join(dataDir(), 'window.json');
let win: BrowserWindow | undefined;

const host = new Host({ defaultServices: process.env.OBSDECK_SERVICES?.split(',').map((s) => s.trim()).filter(Boolean) });
const contract = new IpcContract(host);
/** The tray's own session (its Start and Stop), which no window's end disposes. */
const traySession = host.connect(() => undefined);

function notifyDeaths(before: ServiceStatus[], after: ServiceStatus[]): void {
  for (const s of after) {
    const prev = before.find((b) => b.service === s.service);
    const died = prev?.state === 'running' && (s.state === 'exited' || s.state === 'restarting' || s.state === 'dead');
    if (died && Notification.isSupported()) {
      new Notification({ title: `${s.service} stopped`, body: s.state === 'restarting' ? 'It is restarting.' : `Exit code ${s.exitCode ?? '?'}.` }).show();
    }
  }
}

const firing = new FiringAlerts<Notification>();

function showView(view: string): void {
  if (!win) return;
  win.show();
  void win.loadURL(`${APP_ORIGIN}/?view=${view}`);
}

/** A firing alert raises a notification (a click opens the Alerts view); its end closes it. */
function onNotice(n: AlertNotice): void {
  const ended = firing.apply(n, () => {
    const d = notificationFor(n);
    if (!d || !Notification.isSupported()) return undefined;
    const shown = new Notification({ title: d.title, body: d.body, urgency: d.urgency });
    shown.on('click', () => showView('alerts'));
    shown.show();
    return shown;
  });
  ended?.close();
  app.setBadgeCount(firing.count);
}

function trayMenu(tray: Tray, snap: StackSnapshot): void {
  const running = snap.services.filter((s) => s.state === 'running');
  const ready = running.filter((s) => s.ready).length;
  tray.setToolTip(`Obsdeck: ${snap.engine.reachable ? `${ready}/${snap.services.length} services ready` : 'no Docker engine'}; ${firing.summary()}`);
  if (process.platform === 'darwin') tray.setTitle(firing.count ? String(firing.count) : '');
  tray.setContextMenu(Menu.buildFromTemplate([
    { label: `${ready} of ${snap.services.length} services ready`, enabled: false },
    { label: firing.summary(), enabled: firing.count > 0, click: () => showView('alerts') },
    { type: 'separator' },
    { label: 'Start', enabled: snap.engine.reachable && !snap.busy, click: () => void host.handle('stack:up', {}, traySession).catch(() => undefined) },
    { label: 'Stop', enabled: snap.engine.reachable && !snap.busy && running.length > 0, click: () => void host.handle('stack:down', {}, traySession).catch(() => undefined) },
    { type: 'separator' },
    { label: 'Show Obsdeck', click: () => win?.show() },
    { label: 'Quit', role: 'quit' },
  ]));
}

async function createWindow(): Promise<void> {
  let saved: unknown;
  try {
    saved = JSON.parse(fs.readFileSync(boundsFile(), 'utf8'));
  } catch { /* first start */ }
  const bounds = restoreBounds(saved, screen.getPrimaryDisplay().workAreaSize);
  // The settings are webPreferences()'s (unit-tested); the decisive ones are also written out
  // here so a reader, and Electronegativity's static checks, see them where the window is made.
  win = new BrowserWindow({
    ...bounds,
    show: false,
    title: 'Obsdeck',
    webPreferences: {
      ...webPreferences(path.join(appRoot, 'dist', 'electron', 'preload.cjs')),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  contract.open(win.webContents);
  win.once('ready-to-show', () => win?.show());
  win.on('close', () => {
    if (win) fs.writeFileSync(boundsFile(), JSON.stringify(win.getBounds()));
  });
  await win.loadURL(`${APP_ORIGIN}/`);
}

await app.whenReady();

// The renderer, served from the app scheme with a strict CSP; nothing outside dist/renderer.
protocol.handle(APP_SCHEME, async (request) => {
  const file = rendererPath(request.url, rendererRoot);
  const target = file && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(rendererRoot, 'index.html');
  const res = await net.fetch(pathToFileURL(target).toString());
  return new Response(res.body, { status: res.status, headers: { ...Object.fromEntries(res.headers), 'content-security-policy': CSP } });
});

session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(permissionDecision()));
session.defaultSession.setPermissionCheckHandler(() => permissionDecision());

const grafanaSession = session.fromPartition(grafanaViewPreferences().partition);
grafanaSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(permissionDecision()));
grafanaSession.setPermissionCheckHandler(() => permissionDecision());
let grafanaView: WebContentsView | undefined;

/** The running Grafana's origin, from the stack's status (undefined when it does not run). */
function runningGrafana(): string | undefined {
  const g = host.runtime.snapshot().services.find((s) => s.service === 'grafana' && s.state === 'running');
  return g?.url ? grafanaOrigin(`${g.url}/`) : undefined;
}

app.on('web-contents-created', (_e, contents) => {
  // Grafana's view may move within that Grafana (by link, redirect or subframe); the app's window
  // only within the app. Grafana's popups are denied outright; the app's open stack links outside.
  if (contents.session === grafanaSession) guardNavigation(contents, (url) => isGrafanaUrl(url, runningGrafana()));
  else guardNavigation(contents, isAppUrl, (url) => {
    if (isOpenableExternally(url)) void shell.openExternal(url);
  });
});

// The Grafana view: shown over the page's placeholder, on the running Grafana's pages only.
ipcMain.handle('grafana:show', (event, url: unknown, rect: unknown) => {
  if (!isTrustedSender(event.senderFrame) || !win) throw new Error('refused: not the app\'s own frame');
  const origin = runningGrafana();
  if (typeof url !== 'string' || !isGrafanaUrl(url, origin)) return { ok: false, message: origin ? `not a page of Grafana at ${origin}` : 'Grafana is not running' };
  const [width, height] = win.getContentSize() as [number, number];
  const bounds = viewBounds(rect, { width, height });
  if (!bounds) return { ok: false, message: 'no room for Grafana in the window' };
  if (!grafanaView) {
    grafanaView = new WebContentsView({ webPreferences: { ...grafanaViewPreferences(), contextIsolation: true, sandbox: true, nodeIntegration: false } });
    win.contentView.addChildView(grafanaView);
  }
  grafanaView.setBounds(bounds);
  if (grafanaView.webContents.getURL() !== url) void grafanaView.webContents.loadURL(url);
  return { ok: true };
});
ipcMain.handle('grafana:hide', (event) => {
  if (!isTrustedSender(event.senderFrame)) throw new Error('refused: not the app\'s own frame');
  if (grafanaView && win) {
    win.contentView.removeChildView(grafanaView);
    grafanaView.webContents.close();
  }
  grafanaView = undefined;
  return { ok: true };
});

contract.register(ipcMain, isTrustedSender);

const tray = new Tray(nativeImage.createEmpty());
let last: StackSnapshot | undefined;
// Window events go through each window's session; this one follows the stack for the tray.
host.runtime.subscribe((name, payload) => {
  if (name === 'stack:snapshot') {
    const snap = payload as StackSnapshot;
    if (last) notifyDeaths(last.services, snap.services);
    last = snap;
    trayMenu(tray, snap);
  } else if (name === 'alerts:notice') {
    onNotice(payload as AlertNotice);
    trayMenu(tray, last ?? host.runtime.snapshot());
  }
});

app.on('second-instance', () => {
  if (win?.isMinimized()) win.restore();
  win?.focus();
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => host.close());

try {
  await host.start();
} catch (err) {
  // A damaged secrets file, an unreadable compose file: said once, in a dialog, and the app ends.
  dialog.showErrorBox('Obsdeck cannot start', err instanceof Error ? err.message : String(err));
  app.exit(1);
}
trayMenu(tray, host.runtime.snapshot());
await createWindow();
