import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consolePolicy } from '../console/csp.ts';
import { isAppUrl, isRendererUrl, RENDERER_URL } from './appUrl.ts';
import { guardContents, guardSession, RENDERER_CSP, windowOptions } from './window.ts';

describe('the BrowserWindow', () => {
  it('is isolated, sandboxed and has no Node in the page', () => {
    const options = windowOptions('/app/dist/main/preload.cjs');
    const prefs = options.webPreferences;
    assert.ok(prefs);
    assert.equal(prefs.preload, '/app/dist/main/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.spellcheck, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(options.show, false);
  });

  it('takes remembered bounds', () => {
    const options = windowOptions('/p.cjs', { x: 10, y: 20, width: 1000, height: 700 });
    assert.deepEqual([options.x, options.y, options.width, options.height], [10, 20, 1000, 700]);
  });

  it('blocks navigation away from the app, new windows and webviews', () => {
    let navigate: ((url: string, prevent: () => void) => void) | undefined;
    let redirect: ((url: string, prevent: () => void) => void) | undefined;
    let webview: ((prevent: () => void) => void) | undefined;
    let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    guardContents({
      onWillNavigate: (l) => (navigate = l),
      onWillRedirect: (l) => (redirect = l),
      onWillAttachWebview: (l) => (webview = l),
      setWindowOpenHandler: (h) => (openHandler = h),
    });
    assert.ok(navigate && redirect && webview && openHandler);
    const prevented = (fire: (prevent: () => void) => void) => {
      let was = false;
      fire(() => (was = true));
      return was;
    };
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:1/', 'opsdeck://other/index.html', 'javascript:alert(1)', 'not a url']) {
      assert.equal(prevented((p) => navigate?.(url, p)), true, url);
      assert.equal(prevented((p) => redirect?.(url, p)), true, url);
    }
    assert.equal(prevented((p) => navigate?.(`${RENDERER_URL}#/jobs`, p)), false);
    assert.equal(prevented((p) => webview?.(p)), true);
    assert.deepEqual(openHandler({ url: 'https://example.com' }), { action: 'deny' });
    assert.deepEqual(openHandler({ url: RENDERER_URL }), { action: 'deny' });
  });

  it('denies every permission and sets a strict CSP', () => {
    let request: ((permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let check: ((permission: string) => boolean) | undefined;
    let headers: ((h: Record<string, string[]>) => Record<string, string[]>) | undefined;
    guardSession({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      onHeadersReceived: (l) => (headers = l),
    });
    assert.ok(request && check && headers);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      let granted: boolean | undefined;
      request(permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
      assert.equal(check(permission), false, permission);
    }
    const out = headers({ 'content-security-policy': ["default-src *"], 'X-Other': ['1'] });
    assert.deepEqual(out['Content-Security-Policy'], [RENDERER_CSP]);
    assert.equal(out['content-security-policy'], undefined);
    assert.deepEqual(out['X-Other'], ['1']);
    assert.equal(RENDERER_CSP, consolePolicy({}));
  });

  it('trusts only the renderer document of its own scheme', () => {
    assert.equal(isRendererUrl(RENDERER_URL), true);
    assert.equal(isRendererUrl(`${RENDERER_URL}#/dlq?x=1`), true);
    assert.equal(isRendererUrl('opsdeck://app/assets/index.js'), false);
    assert.equal(isRendererUrl('opsdeck://evil/index.html'), false);
    assert.equal(isRendererUrl('file:///app/dist/renderer/index.html'), false);
    assert.equal(isRendererUrl('https://app/index.html'), false);
    assert.equal(isRendererUrl(''), false);
    assert.equal(isAppUrl('opsdeck://user:pw@app/index.html'), false);
  });
});
