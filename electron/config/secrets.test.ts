import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hidesValue, REDACTED, redactRegistryText, redactValue } from './secrets.ts';

const TEXT = `# production registry
services:
  - name: stripe_sync   # the billing sync
    execution_type: http
    runner_config:
      base_url: https://svc:hunter22@api.example.com
      headers: { Authorization: "Bearer sk_live_abcdef", Accept: application/json }
      auth_type: bearer
      auth_config: { token_env_var: API_TOKEN }
      path: /v1/sync?key=tok-99887766
`;

test('registry text keeps env var names and layout but never secret values', () => {
  const out = redactRegistryText(TEXT, { API_TOKEN: 'tok-99887766' });
  assert.match(out, /token_env_var: API_TOKEN/);
  assert.match(out, /# the billing sync/);
  assert.match(out, /Accept: application\/json/);
  for (const secret of ['hunter22', 'sk_live_abcdef', 'tok-99887766']) assert.ok(!out.includes(secret), secret);
  assert.ok(out.includes(REDACTED));
});

test('unparseable registry text is still redacted', () => {
  const out = redactRegistryText('services:\n  - name: x\n    password: abc123\n  bad: [\n', {});
  assert.ok(!out.includes('abc123'));
  assert.match(out, /password: \[redacted\]/);
});

test('redactValue redacts secret-keyed values and known secrets deeply', () => {
  const out = redactValue({ a: { api_key: 'k1', token_env_var: 'API_TOKEN', list: ['x-S3CRET-y'] } }, ['S3CRET']);
  assert.deepEqual(out, { a: { api_key: REDACTED, token_env_var: 'API_TOKEN', list: [`x-${REDACTED}-y`] } });
});

test('a count or a flag under a secret-like key stays: only a value that may be a secret is cut', () => {
  assert.deepEqual(redactValue({ tokens: 5, max_tokens: 4096, tokenCount: 3, use_token: true, token: 5, password: 123456, tokens_seen: 'abc', secret: null }), {
    tokens: 5,
    max_tokens: 4096,
    tokenCount: 3,
    use_token: true,
    token: '[redacted]',
    password: '[redacted]',
    tokens_seen: '[redacted]',
    secret: null,
  });
});

test('a number is kept only under a name that ends by counting or measuring: a plural or a measure word earlier in it is no count', () => {
  const kept = { tokens: 5, max_tokens: 4096, token_count: 3, password_length: 16, token_ttl: 3600, tokensUsed: 7, 'max-tokens': 9 };
  assert.deepEqual(redactValue(kept), kept);
  assert.deepEqual(redactValue({ password_number: 99, api_keys: 4242, tokens_pin: 1234, passwords_value: 77, token_num: 5 }), {
    password_number: REDACTED,
    api_keys: REDACTED,
    tokens_pin: REDACTED,
    passwords_value: REDACTED,
    token_num: REDACTED,
  });
  assert.equal(hidesValue('password_number', '99'), true, 'as text too');
  assert.equal(hidesValue('max_tokens', '4096'), false);
});
