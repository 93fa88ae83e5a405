import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, Tray } from 'electron';
import type { WebContents } from 'electron';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiResponse } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { createRuntime } from '../api/runtime.ts';
import { defaultDbLocation, parseLocation } from '../store/location.ts';
import { APP_SCHEME, isRendererUrl, RENDERER_URL } from './appUrl.ts';
import { parseDesktopArgs } from './args.ts';
import { EVENT_CHANNEL } from './channels.ts';
import { registerIpc } from './ipc.ts';
import { initialNoticeState, noticeFor } from './notices.ts';
import { loadPrefs, prefsPath, savePrefs } from './prefs.ts';
import type { Prefs } from './prefs.ts';
import { createAppProtocolHandler } from './protocol.ts';
import { trayItems, trayTooltip } from './tray.ts';
import { guardContents, guardSession, windowOptions } from './window.ts';

type Runtime = Awaited<ReturnType<typeof createRuntime>>;

// Must happen before `ready`: our scheme behaves like https (same-origin rules, fetch, module scripts).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function guard(contents: WebContents): void {
  guardContents({
    onWillNavigate: (listener) => contents.on('will-navigate', (event, url) => listener(url, () => event.preventDefault())),
    onWillRedirect: (listener) => contents.on('will-redirect', (event, url) => listener(url, () => event.preventDefault())),
    onWillAttachWebview: (listener) => contents.on('will-attach-webview', (event) => listener(() => event.preventDefault())),
    setWindowOpenHandler: (handler) => contents.setWindowOpenHandler(handler),
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const SetConnectionInput = z.object({ url: z.string().min(1) });

async function start(): Promise<void> {
  await app.whenReady();
  const root = app.getAppPath();
  const prefsFile = prefsPath(app.getPath('userData'));
  let prefs: Prefs = await loadPrefs(prefsFile);
  const args = parseDesktopArgs(process.argv.slice(1));

  let runtime: Runtime;
  try {
    const db = args.db ?? prefs.connection ?? defaultDbLocation();
    // A laptop on a shared PostgreSQL database observes; it runs jobs only when the operator says so.
    const execute = parseLocation(db).dialect === 'sqlite';
    runtime = await createRuntime({ db, registryPath: args.registry, execute });
  } catch (error) {
    dialog.showErrorBox('opsdeck cannot open its store', message(error));
    app.exit(1);
    return;
  }

  const remember = (patch: Partial<Prefs>): void => {
    prefs = { ...prefs, ...patch };
    savePrefs(prefsFile, prefs).catch(() => undefined);
  };

  const call = async (name: string, input: unknown): Promise<ApiResponse> => {
    const response = await dispatch(name, input, runtime.ctx);
    if (name === 'settings.setConnection' && response.ok) {
      const parsed = SetConnectionInput.safeParse(input);
      if (parsed.success) remember({ connection: parsed.data.url });
    }
    return response;
  };

  const ses = session.defaultSession;
  ses.protocol.handle(APP_SCHEME, createAppProtocolHandler(join(root, 'dist', 'renderer')));
  guardSession({
    setPermissionRequestHandler: (handler) => ses.setPermissionRequestHandler((_contents, permission, callback) => handler(permission, callback)),
    setPermissionCheckHandler: (handler) => ses.setPermissionCheckHandler((_contents, permission) => handler(permission)),
    onHeadersReceived: (listener) =>
      ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: listener(details.responseHeaders ?? {}) })),
  });
  app.on('web-contents-created', (_event, contents) => guard(contents));

  const window = new BrowserWindow(windowOptions(join(root, 'dist', 'main', 'preload.cjs'), prefs.bounds));
  mainWindow = window;
  if (prefs.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => remember({ bounds: window.getNormalBounds(), maximized: window.isMaximized() }));
  window.on('closed', () => {
    mainWindow = null;
  });

  const disposeIpc = registerIpc(ipcMain, {
    dispatch: call,
    subscribe: (listener) => runtime.events.on(listener),
    isTrustedSender: isRendererUrl,
    send: (payload) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, payload);
    },
    log: (line) => console.warn(`opsdeck: ${line}`),
  });

  const noticeState = initialNoticeState();
  const icon = nativeImage.createFromPath(join(root, 'dist', 'main', 'icon.png'));
  const refreshTray = (): void => {
    if (!tray) return;
    tray.setToolTip(trayTooltip(noticeState.emergencyStop));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayItems(noticeState.emergencyStop, {
          show: showWindow,
          emergencyStop: () => void call('control.emergencyStop', { reason: 'from the tray menu' }),
          resume: () => void call('control.resume', {}),
        }),
      ),
    );
  };
  try {
    tray = new Tray(icon.isEmpty() ? icon : icon.resize({ width: 18, height: 18 }));
    tray.on('click', showWindow);
    refreshTray();
  } catch {
    // Some Linux desktops have no tray; the window and its stop button remain.
    tray = null;
  }
  const unsubscribeNotices = runtime.events.on((event, payload) => {
    const before = noticeState.emergencyStop;
    const notice = noticeFor(noticeState, event, payload);
    if (before !== noticeState.emergencyStop) refreshTray();
    if (notice && Notification.isSupported()) new Notification({ title: notice.title, body: notice.body, icon }).show();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    unsubscribeNotices();
    disposeIpc();
    // The engine drains its in-flight jobs before the process goes.
    runtime
      .close()
      .catch(() => undefined)
      .finally(() => app.exit(0));
  });

  await window.loadURL(RENDERER_URL);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', showWindow);
  start().catch((error: unknown) => {
    dialog.showErrorBox('opsdeck failed to start', message(error));
    app.exit(1);
  });
}
