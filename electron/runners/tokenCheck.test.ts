import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { HttpRunnerConfig } from '../../shared/registry.ts';
import { listenLocal } from './testing/listen.ts';
import { checkToken } from './tokenCheck.ts';

const config = (extra: Record<string, unknown>) => HttpRunnerConfig.parse({ base_url: 'http://127.0.0.1:9/v1', ...extra });
const inConsole = { process: "the console's process", runsJobs: false };

describe('validate-token where the credential is not set', () => {
  it("says whose environment lacks it, once, untested: the workers' may well have it", async () => {
    const check = await checkToken('http_auth', config({ auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' } }), {}, inConsole, 'opsdeck test-connectivity');
    assert.equal(check.tested, false);
    assert.equal(check.accepted, null);
    assert.deepEqual(check.variables, [{ name: 'API_TOKEN', set: false }]);
    assert.equal(
      check.detail,
      "this check runs in the console's process, which lacks API_TOKEN, so it cannot test the token the workers use: run opsdeck validate-token http_auth where a worker runs, with its environment",
    );
  });

  it('names every variable of a basic credential that is missing, and says when this process runs jobs that lack them too', async () => {
    const basic = config({ auth_type: 'basic', auth_config: { username_env_var: 'API_USER', password_env_var: 'API_PASS' } });
    const check = await checkToken('ledger', basic, {}, { process: "the console's process", runsJobs: true }, 'opsdeck test-connectivity ledger');
    assert.match(check.detail, /^this check runs in the console's process, which lacks API_USER and API_PASS, so it cannot test the token the workers use; its own jobs of ledger lack them too: /);
  });

  it('asks nothing of a service that sends no credential', async () => {
    const check = await checkToken('open', config({}), {}, inConsole, 'opsdeck test-connectivity');
    assert.deepEqual([check.tested, check.accepted], [false, null]);
    assert.equal(check.detail, 'open sends no credential (auth_type: none): nothing to validate');
  });
});

describe('validate-token of a service whose path holds a secret in its query', () => {
  it("names the jobs' call it did not try by its path alone", async () => {
    // Checks no credential: answers 200 with it and without, so the check says it cannot tell, naming the call.
    const open = createServer((_req, res) => res.writeHead(200).end('ok'));
    const port = await listenLocal(open);
    try {
      const cfg = HttpRunnerConfig.parse({ base_url: `http://127.0.0.1:${port}/v1`, path: '/submit?token=SECRET123', method: 'POST', auth_type: 'bearer', auth_config: { token_env_var: 'API_TOKEN' } });
      const check = await checkToken('hook_api', cfg, { API_TOKEN: 'tok-3f9a1c' }, inConsole, 'opsdeck test-connectivity hook_api');
      assert.match(check.detail, /so it checks no credential; the jobs' POST \/submit was not tried \(it could do work\): run one job to see$/);
      assert.ok(!JSON.stringify(check).includes('SECRET123'), check.detail);
    } finally {
      open.closeAllConnections();
      await new Promise<void>((resolve) => open.close(() => resolve()));
    }
  });
});
