import type { BrowserWindowConstructorOptions } from 'electron';
import { consolePolicy } from '../console/csp.ts';
import { isAppUrl } from './appUrl.ts';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The window's policy: events come over IPC, so the page connects nowhere beyond its own origin. */
export const RENDERER_CSP = consolePolicy({});

/** One hardened window: isolated, sandboxed, no Node in the page; the preload is the only bridge. */
export function windowOptions(preloadPath: string, bounds?: Bounds): BrowserWindowConstructorOptions {
  return {
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 820,
    ...(bounds?.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'opsdeck',
    backgroundColor: '#111418',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  };
}

/** What the guards need from a webContents, so they can be exercised without Electron. */
export interface ContentsGuardTarget {
  onWillNavigate(listener: (url: string, prevent: () => void) => void): void;
  onWillRedirect(listener: (url: string, prevent: () => void) => void): void;
  onWillAttachWebview(listener: (prevent: () => void) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionGuardTarget {
  setPermissionRequestHandler(handler: (permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (permission: string) => boolean): void;
  onHeadersReceived(listener: (headers: Record<string, string[]>) => Record<string, string[]>): void;
}

/** Navigation stays inside our own documents; new windows and webviews are never created. */
export function guardContents(target: ContentsGuardTarget): void {
  target.onWillNavigate((url, prevent) => {
    if (!isAppUrl(url)) prevent();
  });
  target.onWillRedirect((url, prevent) => {
    if (!isAppUrl(url)) prevent();
  });
  target.onWillAttachWebview((prevent) => prevent());
  target.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The console needs no camera, notifications-from-page, clipboard or any other permission. */
export function guardSession(target: SessionGuardTarget): void {
  target.setPermissionRequestHandler((_permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.onHeadersReceived((headers) => {
    const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-security-policy'));
    return { ...kept, 'Content-Security-Policy': [RENDERER_CSP] };
  });
}
