import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures.ts';

/** A real HTTP server on 127.0.0.1, noting each request it is sent. */
async function listening(seen: string[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const { server, port } = await listening([]);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("test-connectivity --url from the console: any http(s) URL, the same layered check, a malformed one refused with what is wrong", async ({ opsdeck }) => {
  const { page } = opsdeck;
  const seen: string[] = [];
  const { server, port } = await listening(seen);
  try {
    await opsdeck.open('/runners');
    const diagnostics = page.getByRole('region', { name: 'Diagnostics' });
    const form = diagnostics.getByRole('form', { name: 'Test a URL' });
    const field = form.getByLabel('URL to test');
    const test = form.getByRole('button', { name: 'Test connectivity of the URL' });
    await expect(test).toBeDisabled();

    const url = `http://127.0.0.1:${port}/health`;
    await field.fill(url);
    await test.click();
    const steps = diagnostics.getByRole('list', { name: `Connectivity of http://127.0.0.1:${port}/health` });
    for (const step of ['dns', 'tcp', 'http']) await expect(steps.getByRole('listitem').filter({ hasText: step }).locator('.badge')).toHaveText('ok');
    await expect(steps).toContainText(/http \d+ ms: GET http:\/\/127\.0\.0\.1:\d+\/health answered 200/);
    await expect(diagnostics).toContainText(`GET ${url}, each step waiting at most 5s (the default for a URL)`);
    expect(seen).toEqual(['GET /health']);
    await opsdeck.screenshot('url-connectivity');

    // Nothing listens: the check says which layer failed, as the CLI's does.
    const closed = await closedPort();
    await field.fill(`http://127.0.0.1:${closed}/`);
    await test.click();
    const refused = diagnostics.getByRole('list', { name: `Connectivity of http://127.0.0.1:${closed}/` });
    await expect(refused.getByRole('listitem').filter({ hasText: 'tcp' }).locator('.badge')).toHaveText('fail');

    await field.fill('ftp://example.com/file');
    await test.click();
    await expect(diagnostics.getByRole('alert')).toHaveText('url: only an http:// or https:// URL can be tested, not ftp:');
    await field.fill('api.example.com/health');
    await test.click();
    await expect(diagnostics.getByRole('alert')).toHaveText('url: not a URL: write it whole, with its scheme, such as https://api.example.com');
    expect(seen).toEqual(['GET /health']);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
