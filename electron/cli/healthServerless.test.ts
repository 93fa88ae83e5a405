import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { listenLocal } from '../runners/testing/listen.ts';
import { openStore } from '../store/open.ts';
import { opsdeck } from './testing/opsdeck.ts';

/** No AWS credential from anywhere the SDK looks: an operator's laptop, while the workers have an instance role. */
const NO_AWS = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config', AWS_EC2_METADATA_DISABLED: 'true' };

let dir = '';
let server: Server;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-health-serverless-'));
  // The Lambda endpoint answers, whatever it is asked: only the credentials are in question.
  server = createServer((_req, res) => res.writeHead(404).end());
  const port = await listenLocal(server);
  await writeFile(
    join(dir, 'registry.yaml'),
    ['services:', '  - name: thumbnails', '    execution_type: serverless', '    runner_config:', '      provider: aws_lambda', '      function_name: thumbnails', '      region: eu-west-1', `      endpoint: http://127.0.0.1:${port}`, ''].join('\n'),
  );
  await (await openStore(join(dir, 'o.db'))).close();
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("health-check on a laptop without AWS credentials warns, naming this command's process, and exits 0: the workers' are not known", async () => {
  const run = await opsdeck(['health-check', 'runner', '--db', join(dir, 'o.db'), '--registry', join(dir, 'registry.yaml')], NO_AWS);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /runner:serverless\s+WARN\s+1 of 1 service\(s\) lack AWS credentials in this command's process, which runs no job/);
  assert.doesNotMatch(run.stdout, /this shell/);
});
