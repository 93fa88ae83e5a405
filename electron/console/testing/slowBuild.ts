import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildOnce } from '../buildOnce.ts';
import { waitingWords } from '../build.ts';

/**
 * A build as the console's is made, run as a process of its own by buildOnce.test.ts: files written one
 * by one over a while, index.html last, each naming the process that wrote it. Prints what happened.
 */
const [outDir = '', files = '10'] = process.argv.slice(2);
const result = await buildOnce({
  outDir,
  upToDate: async () => existsSync(join(outDir, 'index.html')),
  onWait: (holder) => console.log(waitingWords(holder)),
  onBuild: () => console.log(`building ${process.pid}`),
  pollMs: 50,
  async build(dir) {
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < Number(files); i++) {
      await writeFile(join(dir, `chunk-${i}.js`), String(process.pid));
      await sleep(30);
    }
    await writeFile(join(dir, 'index.html'), String(process.pid));
  },
});
console.log(result.built ? `built ${process.pid}` : `up to date ${process.pid}`);
