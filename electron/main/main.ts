import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray } from 'electron';
import type { WebContents } from 'electron';
import { join } from 'node:path';
import { z } from 'zod';
import type { ApiResponse } from '../../shared/contract.ts';
import { dispatch } from '../api/dispatch.ts';
import { recalledText, RegistryMemory, rememberLoads } from '../api/registryMemory.ts';
import { createRuntime } from '../api/runtime.ts';
import { LOG_FILE_NAME, logDirectory, rotatingLogFile } from '../log/logFile.ts';
import { parseLogLevel, type Logger } from '../log/logger.ts';
import { createLogger } from '../log/pinoLogger.ts';
import { LogSecrets } from '../log/secrets.ts';
import { defaultDbLocation } from '../store/location.ts';
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
import { CONSOLE_WORDS } from '../api/interfaceWords.ts';

type Runtime = Awaited<ReturnType<typeof createRuntime>>;

// Must happen before `ready`: our scheme behaves like https (same-origin rules, fetch, module scripts).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
/** Shows the window, making it again when it was closed; replaced once the app has started. */
let showConsole: () => void = () => undefined;

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

/**
 * Opens the store: the --db argument, else the connection remembered from last time, else the default
 * SQLite file. A remembered connection that no longer answers falls back to the default file (and says
 * so) rather than leaving the operator with an app that cannot start. The registry is --registry's, else
 * OPSDECK_REGISTRY's, else the one last loaded on the store opened (`recalled` says which it was).
 */
async function openRuntime(
  argsDb: string | undefined,
  remembered: string | undefined,
  registryPath: string | undefined,
  memory: RegistryMemory,
  log: DesktopLog,
): Promise<{ runtime: Runtime; recalled: boolean }> {
  const open = async (db: string) => {
    const recalled = registryPath === undefined && !process.env.OPSDECK_REGISTRY ? await memory.recall(db) : null;
    const runtime = await createRuntime({ words: CONSOLE_WORDS, db, registryPath: registryPath ?? recalled ?? undefined, execute: 'by-store', alerts: true, watchStore: true, answeredBy: 'console', log: log.logger, logSecrets: log.secrets });
    return { runtime, recalled: recalled !== null };
  };
  if (argsDb !== undefined || remembered === undefined) return open(argsDb ?? defaultDbLocation());
  try {
    return await open(remembered);
  } catch (error) {
    const fallback = defaultDbLocation();
    dialog.showErrorBox('opsdeck could not reopen the last store', `${message(error)}

Opening ${fallback} instead.`);
    return open(fallback);
  }
}

interface DesktopLog {
  logger: Logger;
  secrets: LogSecrets;
  directory: string;
  close(): void;
}

/**
 * The desktop's log: JSON lines in a rotating file in the data directory (what a support bundle takes
 * the tail of), and text on stdout for whoever started it from a terminal. A wrong --log-level or
 * OPSDECK_LOG_LEVEL falls back to info and says so, rather than keep the app from opening.
 */
async function desktopLog(levelArg: string | undefined, remembered: string | undefined): Promise<DesktopLog> {
  const directory = logDirectory();
  const file = rotatingLogFile(directory);
  // A log file that cannot be written must not keep the console from opening: the terminal still has it.
  file.on('error', () => undefined);
  const secrets = new LogSecrets(process.env, [defaultDbLocation(), ...(remembered ? [remembered] : [])]);
  let level: ReturnType<typeof parseLogLevel> = 'info';
  let problem: string | null = null;
  try {
    level = parseLogLevel(levelArg ?? process.env.OPSDECK_LOG_LEVEL);
  } catch (error) {
    problem = message(error);
  }
  const logger = await createLogger({ level, format: 'text', destination: process.stdout, colorize: process.stdout.isTTY === true, file, secrets });
  if (problem) logger.warn(`${problem}; logging at info`);
  return { logger, secrets, directory, close: () => file.end() };
}

async function start(): Promise<void> {
  await app.whenReady();
  const root = app.getAppPath();
  const prefsFile = prefsPath(app.getPath('userData'));
  let prefs: Prefs = await loadPrefs(prefsFile);
  const args = parseDesktopArgs(process.argv.slice(1));
  const log = await desktopLog(args.logLevel, prefs.connection);

  // Beside the connection and the window: the registry last loaded on each store comes back at the next launch.
  const memory = new RegistryMemory(app.getPath('userData'));
  let runtime: Runtime;
  let recalled: boolean;
  try {
    ({ runtime, recalled } = await openRuntime(args.db, prefs.connection, args.registry, memory, log));
  } catch (error) {
    dialog.showErrorBox('opsdeck cannot open its store', message(error));
    app.exit(1);
    return;
  }
  const forgetLoads = rememberLoads(runtime, memory, log.logger);
  const load = runtime.registryLoad;
  if (recalled && load) {
    if (load.ok) log.logger.info(`registry: ${recalledText(load)}`);
    // Its jobs would wait with nothing running them: said where the operator looks, not only in the log.
    else {
      log.logger.warn(`registry: ${recalledText(load)}; no job runs here until one loads`);
      dialog.showErrorBox('opsdeck could not load the registry it last used', `${recalledText(load)}.\n\nNo job runs here until one loads: fix it, or load another in Settings, then turn local execution on there.`);
    }
  }
  runtime.ctx.settings.logFile = join(log.directory, LOG_FILE_NAME);
  runtime.ctx.settings.openLogFolder = async () => {
    // openPath answers with an error message, or '' when the folder opened.
    const failed = await shell.openPath(log.directory);
    if (failed) throw new Error(`could not open ${log.directory}: ${failed}`);
  };

  const remember = (patch: Partial<Prefs>): Promise<void> => {
    prefs = { ...prefs, ...patch };
    return savePrefs(prefsFile, prefs).catch(() => undefined);
  };

  const call = async (name: string, input: unknown): Promise<ApiResponse> => {
    const response = await dispatch(name, input, runtime.ctx);
    if (name === 'settings.setConnection' && response.ok) {
      const parsed = SetConnectionInput.safeParse(input);
      if (parsed.success) await remember({ connection: parsed.data.url });
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

  const boundsOf = (window: BrowserWindow): Partial<Prefs> => ({ bounds: window.getNormalBounds(), maximized: window.isMaximized() });

  const createWindow = async (): Promise<void> => {
    const window = new BrowserWindow(windowOptions(join(root, 'dist', 'main', 'preload.cjs'), prefs.bounds));
    mainWindow = window;
    if (prefs.maximized) window.maximize();
    window.once('ready-to-show', () => window.show());
    window.on('close', () => void remember(boundsOf(window)));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    await window.loadURL(RENDERER_URL);
  };
  // The tray and the dock bring the console back after its window was closed (macOS keeps running).
  showConsole = () => {
    if (mainWindow && !mainWindow.isDestroyed()) showWindow();
    else createWindow().catch((error: unknown) => dialog.showErrorBox('opsdeck could not open its window', message(error)));
  };

  const disposeIpc = registerIpc(ipcMain, {
    dispatch: call,
    subscribe: (listener) => runtime.events.on(listener),
    isTrustedSender: isRendererUrl,
    send: (payload) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, payload);
    },
    log: (line) => log.logger.warn(line),
  });

  const noticeState = initialNoticeState();
  const icon = nativeImage.createFromPath(join(root, 'dist', 'main', 'icon.png'));
  const refreshTray = (): void => {
    if (!tray) return;
    tray.setToolTip(trayTooltip(noticeState.emergencyStop));
    tray.setContextMenu(
      Menu.buildFromTemplate(
        trayItems(noticeState.emergencyStop, {
          show: () => showConsole(),
          emergencyStop: () => void call('control.emergencyStop', { reason: 'from the tray menu' }),
          resume: () => void call('control.resume', {}),
        }),
      ),
    );
  };
  try {
    tray = new Tray(icon.isEmpty() ? icon : icon.resize({ width: 18, height: 18 }));
    tray.on('click', () => showConsole());
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
    forgetLoads();
    disposeIpc();
    const window = mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;
    // app.exit skips the windows' close events, so the bounds are saved here; the engine drains last.
    (window ? remember(boundsOf(window)) : Promise.resolve())
      .then(() => runtime.close())
      .catch(() => undefined)
      .finally(() => {
        log.close();
        app.exit(0);
      });
  });

  await createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showConsole());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showConsole());
  start().catch((error: unknown) => {
    dialog.showErrorBox('opsdeck failed to start', message(error));
    app.exit(1);
  });
}
