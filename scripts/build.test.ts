import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMain, MAIN_EXTERNALS, repoRoot } from './build.ts';

/**
 * The bundles as Electron would load them, with a stand-in for the electron module: the main process
 * really opens a SQLite store (migrations found from inside the bundle), registers its IPC handler and
 * answers a call from the renderer's frame; the preload exposes its one object.
 */
const ELECTRON_STUB = String.raw`
const listeners = {};
const on = (name, fn) => { (listeners[name] ??= []).push(fn); };
const handlers = new Map();
const log = (line) => process.stdout.write(line + '\n');
let readyResolve;
const ready = new Promise((r) => { readyResolve = r; });
function Emitter() { this.l = {}; }
Emitter.prototype.on = function (n, f) { (this.l[n] ??= []).push(f); return this; };
Emitter.prototype.once = Emitter.prototype.on;
const contents = new Emitter();
Object.assign(contents, { send: (channel, msg) => {}, setWindowOpenHandler: () => {} });
module.exports = {
  app: {
    requestSingleInstanceLock: () => process.env.STUB_LOCK !== 'taken',
    quit: () => { log('quit'); },
    exit: (code) => { log('exit ' + code); process.exit(code); },
    on, whenReady: () => ready,
    getAppPath: () => process.env.STUB_APP_PATH,
    getPath: () => process.env.STUB_USER_DATA,
  },
  protocol: { registerSchemesAsPrivileged: (s) => log('schemes ' + s.map((x) => x.scheme).join(',')) },
  session: { defaultSession: {
    protocol: { handle: (scheme, handler) => { module.exports.__protocol = handler; } },
    setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {},
    webRequest: { onHeadersReceived: () => {} },
  } },
  ipcMain: { handle: (c, f) => handlers.set(c, f), removeHandler: (c) => handlers.delete(c) },
  BrowserWindow: function (options) {
    log('window sandbox=' + options.webPreferences.sandbox + ' preload=' + options.webPreferences.preload.endsWith('preload.cjs'));
    const w = new Emitter();
    Object.assign(w, {
      webContents: contents, isDestroyed: () => false, maximize() {}, show() {}, isMinimized: () => false, focus() {},
      getNormalBounds: () => ({ x: 0, y: 0, width: 1000, height: 700 }), isMaximized: () => false,
      loadURL: async (url) => {
        log('load ' + url);
        const page = await module.exports.__protocol({ url, method: 'GET' });
        log('page ' + page.status);
        const answer = await handlers.get('opsdeck:call')({ senderFrame: { url: url + '#/' } }, 'control.get', {});
        log('call ' + JSON.stringify({ ok: answer.ok, engaged: answer.ok && answer.result.emergency_stop.engaged }));
        // A read the SQLite store runs on its read thread, whose program and driver must load from the bundle.
        const searched = await handlers.get('opsdeck:call')({ senderFrame: { url: url + '#/' } }, 'dlq.groups', { search: 'timeout' });
        log('read thread ' + JSON.stringify({ ok: searched.ok, groups: searched.ok ? searched.result.groups.length : searched.error.message }));
        const refused = await handlers.get('opsdeck:call')({ senderFrame: { url: 'https://evil.example/' } }, 'control.get', {});
        log('untrusted ' + refused.error.code);
        for (const fn of listeners['before-quit'] ?? []) fn({ preventDefault() {} });
      },
    });
    return w;
  },
  Menu: { buildFromTemplate: (t) => t },
  nativeImage: { createFromPath: () => ({ isEmpty: () => true }) },
  Tray: function () { return { on() {}, setToolTip() {}, setContextMenu() {} }; },
  Notification: Object.assign(function () { return { show() {} }; }, { isSupported: () => false }),
  dialog: { showErrorBox: (title, text) => log('error ' + title + ': ' + text) },
};
setImmediate(() => readyResolve());
`;

/** The exposed object, typed loosely so the test can pass it wrong arguments on purpose. */
interface LooseBridge {
  call(name: unknown, input: unknown): Promise<unknown>;
  on(event: unknown, listener: unknown): () => void;
}

function isLooseBridge(value: unknown): value is LooseBridge {
  return typeof value === 'object' && value !== null && 'call' in value && typeof value.call === 'function' && 'on' in value && typeof value.on === 'function';
}

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [script, '--db', env.STUB_DB ?? ''], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolveRun({ code, out, err }));
  });
}

describe('the Electron bundles', () => {
  let dir: string;
  let outDir: string;

  before(async () => {
    await mkdir(join(repoRoot, '.tmp'), { recursive: true });
    // Inside the checkout, so the bundle finds node_modules as it does in dist/main.
    dir = await mkdtemp(join(repoRoot, '.tmp', 'bundle-'));
    outDir = join(dir, 'dist', 'main');
    await buildMain({ force: true, quiet: true, outDir });
    await writeFile(join(outDir, 'node_modules-stub-electron.cjs'), ELECTRON_STUB);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves only natives and Node built-ins outside the main bundle', async () => {
    const code = await readFile(join(outDir, 'main.cjs'), 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
    const builtins = new Set(builtinModules);
    const outside = [...required].filter((name) => !name.startsWith('node:') && !builtins.has(name) && !name.startsWith('@aws-sdk/signature-v4-crt'));
    assert.deepEqual(outside.filter((name) => !MAIN_EXTERNALS.includes(name)), []);
    assert.ok(outside.includes('electron'));
    assert.doesNotMatch(code, /import\.meta/);
    const preload = await readFile(join(outDir, 'preload.cjs'), 'utf8');
    assert.deepEqual([...new Set([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], ['electron']);
    assert.doesNotMatch(preload, /zod/);
  });

  it('runs the main process against a real SQLite store and answers the renderer over IPC', async () => {
    const userData = join(dir, 'userData');
    await mkdir(join(dir, 'dist', 'renderer'), { recursive: true });
    await writeFile(join(dir, 'dist', 'renderer', 'index.html'), '<!doctype html><title>t</title>');
    const script = join(dir, 'launch.cjs');
    await writeFile(
      script,
      `const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return ${JSON.stringify(join(outDir, 'node_modules-stub-electron.cjs'))};
  return original.call(this, request, ...rest);
};
require(${JSON.stringify(join(outDir, 'main.cjs'))});
`,
    );
    const db = join(dir, 'desktop.db');
    const result = await run(script, { STUB_APP_PATH: dir, STUB_USER_DATA: userData, STUB_DB: db });
    assert.equal(result.code, 0, result.out + result.err);
    const lines = result.out.trim().split('\n');
    assert.ok(lines.includes('schemes opsdeck'), result.out);
    assert.ok(lines.includes('window sandbox=true preload=true'), result.out);
    assert.ok(lines.includes('load opsdeck://app/index.html'), result.out);
    assert.ok(lines.includes('page 200'), result.out);
    assert.ok(lines.includes('call {"ok":true,"engaged":false}'), result.out);
    assert.ok(lines.includes('read thread {"ok":true,"groups":0}'), result.out);
    assert.ok(lines.includes('untrusted forbidden'), result.out);
    assert.equal(lines.at(-1), 'exit 0');
    const prefs: unknown = JSON.parse(await readFile(join(userData, 'opsdeck-window.json'), 'utf8'));
    assert.deepEqual(prefs, { bounds: { x: 0, y: 0, width: 1000, height: 700 }, maximized: false });

    const taken = await run(script, { STUB_APP_PATH: dir, STUB_USER_DATA: userData, STUB_DB: db, STUB_LOCK: 'taken' });
    assert.equal(taken.code, 0);
    assert.equal(taken.out.trim(), 'schemes opsdeck\nquit');
  });

  it('exposes exactly one object from the preload, with no raw IPC in it', async () => {
    const code = await readFile(join(outDir, 'preload.cjs'), 'utf8');
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    let eventListener: ((event: unknown, message: unknown) => void) | undefined;
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, result: null };
        },
        on: (_channel: string, listener: (event: unknown, message: unknown) => void) => (eventListener = listener),
      },
    };
    const load = new Function('require', 'module', 'exports', code);
    load((name: string) => (name === 'electron' ? electron : assert.fail(`preload required ${name}`)), { exports: {} }, {});
    assert.deepEqual(Object.keys(exposed), ['opsdeck']);
    const bridge = exposed.opsdeck;
    assert.ok(isLooseBridge(bridge));
    assert.deepEqual(Object.keys(bridge).sort(), ['call', 'on']);
    assert.deepEqual(await bridge.call('control.get', {}), { ok: true, result: null });
    assert.deepEqual(invoked, [['opsdeck:call', 'control.get', {}]]);
    assert.deepEqual(await bridge.call(42, {}), { ok: false, error: { code: 'invalid_input', message: 'the call name must be a string' } });
    assert.throws(() => bridge.on('not.an.event', () => undefined), /unknown opsdeck event/);
    assert.throws(() => bridge.on('control.changed', 'nope'), /must be a function/);
    const got: unknown[] = [];
    const off = bridge.on('control.changed', (payload: unknown) => got.push(payload));
    bridge.on('jobs.changed', () => {
      throw new Error('a failing listener');
    });
    assert.ok(eventListener);
    eventListener({ sender: 'secret' }, { event: 'control.changed', payload: { version: 1 } });
    eventListener({}, { event: 'jobs.changed', payload: {} });
    eventListener({}, 'garbage');
    off();
    eventListener({}, { event: 'control.changed', payload: { version: 2 } });
    assert.deepEqual(got, [{ version: 1 }]);
  });
});
