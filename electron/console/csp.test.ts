import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consolePolicy } from './csp.ts';

const common = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

const directives = (policy: string) => policy.split('; ');

describe("the console's content-security policy", () => {
  it('in the Electron window: nothing beyond its own origin (events come over IPC)', () => {
    const policy = directives(consolePolicy({}));
    assert.deepEqual(policy.filter((d) => !d.startsWith('connect-src')), common);
    assert.deepEqual(policy.filter((d) => d.startsWith('connect-src')), ["connect-src 'self'"]);
  });

  it('in the browser host: its own origin, and the event socket on its port by either loopback name', () => {
    const policy = directives(consolePolicy({ eventSocketPort: 7788 }));
    assert.deepEqual(policy.filter((d) => !d.startsWith('connect-src')), common);
    assert.deepEqual(policy.filter((d) => d.startsWith('connect-src')), ["connect-src 'self' ws://127.0.0.1:7788 ws://localhost:7788"]);
  });

  it('never allows eval or scripts from anywhere else', () => {
    for (const policy of [consolePolicy({}), consolePolicy({ eventSocketPort: 1 })]) {
      assert.doesNotMatch(policy, /unsafe-eval|script-src [^;]*(https?:|\*)/);
    }
  });
});
