import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDesktopArgs } from './args.ts';
import { initialNoticeState, noticeFor } from './notices.ts';
import { loadPrefs, prefsPath, savePrefs } from './prefs.ts';
import { createAppProtocolHandler } from './protocol.ts';
import { trayItems } from './tray.ts';

describe('desktop notices', () => {
  it('announce the emergency stop when it engages, not the state found at start', () => {
    const state = initialNoticeState();
    const control = (engaged: boolean) => ({ emergency_stop: { engaged, by: 'ana', at: null, reason: 'db failover' }, safe_mode: { engaged: false }, paused_queues: [], version: 1 });
    assert.equal(noticeFor(state, 'control.changed', control(true)), null);
    assert.equal(noticeFor(state, 'control.changed', control(false)), null);
    assert.deepEqual(noticeFor(state, 'control.changed', control(true)), { title: 'Emergency stop engaged', body: 'by ana: db failover' });
    assert.equal(noticeFor(state, 'stats.tick', { control: control(true) }), null);
    assert.equal(noticeFor(state, 'stats.tick', { control: control(false) }), null);
    assert.ok(noticeFor(state, 'stats.tick', { control: control(true) }));
    assert.equal(noticeFor(state, 'control.changed', 'garbage'), null);
  });

  it('announce a breaker once when it opens', () => {
    const state = initialNoticeState();
    const breaker = (s: string) => ({ service: 'billing', state: s, mode: 'auto', reason: '5 failures in 60 s' });
    assert.deepEqual(noticeFor(state, 'breaker.changed', breaker('open')), { title: 'Circuit breaker opened: billing', body: '5 failures in 60 s' });
    assert.equal(noticeFor(state, 'breaker.changed', breaker('open')), null);
    assert.equal(noticeFor(state, 'breaker.changed', breaker('half_open')), null);
    assert.ok(noticeFor(state, 'breaker.changed', breaker('open')));
    assert.equal(noticeFor(state, 'jobs.changed', {}), null);
  });
});

describe('the tray menu', () => {
  it('offers stop or resume by the control state', () => {
    const calls: string[] = [];
    const actions = { emergencyStop: () => calls.push('stop'), resume: () => calls.push('resume'), show: () => calls.push('show') };
    const byLabel = (engaged: boolean | null) => new Map(trayItems(engaged, actions).filter((i) => i.label).map((i) => [i.label, i]));
    assert.equal(byLabel(false).get('Emergency stop')?.enabled, true);
    assert.equal(byLabel(false).get('Resume')?.enabled, false);
    assert.equal(byLabel(true).get('Emergency stop')?.enabled, false);
    assert.equal(byLabel(true).get('Resume')?.enabled, true);
    byLabel(null).get('Emergency stop')?.click?.();
    byLabel(null).get('Show opsdeck')?.click?.();
    assert.deepEqual(calls, ['stop', 'show']);
  });
});

describe('remembered window and connection', () => {
  it('round-trips, never keeps a password, and survives a damaged file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-prefs-'));
    try {
      const path = prefsPath(dir);
      assert.deepEqual(await loadPrefs(path), {});
      await savePrefs(path, { bounds: { x: 5, y: 6, width: 1200, height: 800 }, maximized: false, connection: 'postgres://ops:hunter2@db:5432/jobs' });
      const text = await readFile(path, 'utf8');
      assert.doesNotMatch(text, /hunter2/);
      assert.deepEqual(await loadPrefs(path), { bounds: { x: 5, y: 6, width: 1200, height: 800 }, maximized: false, connection: 'postgres://ops@db:5432/jobs' });
      if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
      await writeFile(path, '{ not json');
      assert.deepEqual(await loadPrefs(path), {});
      await writeFile(path, JSON.stringify({ bounds: { width: -1, height: 'x' } }));
      assert.deepEqual(await loadPrefs(path), {});
      await savePrefs(path, { connection: 'postgres://ops@db:5432/jobs?password=hunter3&sslmode=require&sslpassword=k3yphrase' });
      assert.doesNotMatch(await readFile(path, 'utf8'), /hunter3|k3yphrase/, 'a password in the query is not kept either');
      assert.deepEqual(await loadPrefs(path), { connection: 'postgres://ops@db:5432/jobs?sslmode=require' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('desktop arguments', () => {
  it('picks --db, --registry and --log-level among Chromium switches', () => {
    assert.deepEqual(parseDesktopArgs(['/app', '--no-sandbox', '--db', 'postgres://x@h/d', '--registry=/r.yaml', '--inspect=0', '--log-level', 'debug']), {
      db: 'postgres://x@h/d',
      registry: '/r.yaml',
      logLevel: 'debug',
    });
    assert.deepEqual(parseDesktopArgs(['/app']), { db: undefined, registry: undefined, logLevel: undefined });
  });
});

describe('the opsdeck:// scheme', () => {
  it('serves the renderer with its CSP and nothing outside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-scheme-'));
    try {
      const root = join(dir, 'renderer');
      await mkdir(join(root, 'assets'), { recursive: true });
      await writeFile(join(root, 'index.html'), '<title>opsdeck</title>');
      await writeFile(join(root, 'assets', 'a.js'), 'export {}');
      await writeFile(join(dir, 'secret.txt'), 'secret');
      const handle = createAppProtocolHandler(root);
      const index = await handle({ url: 'opsdeck://app/index.html', method: 'GET' });
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.equal(await index.text(), '<title>opsdeck</title>');
      const js = await handle({ url: 'opsdeck://app/assets/a.js', method: 'GET' });
      assert.match(js.headers.get('content-type') ?? '', /javascript/);
      const route = await handle({ url: 'opsdeck://app/jobs', method: 'GET' });
      assert.equal(await route.text(), '<title>opsdeck</title>');
      for (const url of ['opsdeck://app/..%2fsecret.txt', 'opsdeck://app/%2e%2e/secret.txt', 'opsdeck://app/assets/..%5c..%5csecret.txt', 'opsdeck://other/index.html', 'opsdeck://app/missing.js']) {
        const res = await handle({ url, method: 'GET' });
        assert.notEqual(await res.text(), 'secret', url);
        assert.equal(res.status, 404, url);
      }
      assert.equal((await handle({ url: 'opsdeck://app/index.html', method: 'POST' })).status, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
