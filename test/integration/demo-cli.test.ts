/** `npm start` (mcx demo) and `mcx token` as a user runs them: start, use a printed token, Ctrl-C. */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../cli/topology.js';
import { post } from '../support/harness.js';

const MCX = new URL('../../dist/cli/mcx.js', import.meta.url).pathname;

async function bindable(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  const ok = await Promise.race([once(server, 'listening').then(() => true), once(server, 'error').then(() => false)]);
  if (ok) {
    server.close();
    await once(server, 'close');
  }
  return ok;
}

/** Three consecutive free ports for the systems, below Linux's ephemeral range (32768+), where outgoing connections of other processes could take one meanwhile. */
async function freeBasePort(): Promise<number> {
  for (;;) {
    const base = 20000 + Math.floor(Math.random() * 12000);
    if ((await bindable(base)) && (await bindable(base + 1)) && (await bindable(base + 2))) return base;
  }
}

describe('mcx demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcx-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts north, south, east and the gateway, serves tokens, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    const basePort = await freeBasePort();
    const child = spawn(process.execPath, [MCX, 'demo', '--data-dir', dataDir, '--port', String(port), '--base-port', String(basePort)], {
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Press Ctrl-C to stop') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`http://127.0.0.1:${port}/graphql`);
    expect(output).toContain(`north     http://127.0.0.1:${basePort}/graphql`);

    // The key files: private readable by the owner only.
    expect(statSync(join(dataDir, 'north', 'keys', 'private-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'north', 'configuration.sqlite')).size).toBeGreaterThan(0);

    const token = execFileSync(process.execPath, [MCX, 'token', '--system', 'north', '--role', 'admin', '--data-dir', dataDir]).toString().trim();
    const res = await post<{ north: { users: unknown[] } }>(`http://127.0.0.1:${port}/graphql`, { query: '{ north { users(limit: 500) { id } } }' }, { authorization: `Bearer ${token}` });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.north.users.length).toBe(36);

    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    // Every process is gone: nothing answers on the ports any more.
    for (const p of [port, basePort, basePort + 1, basePort + 2]) {
      await expect(fetch(`http://127.0.0.1:${p}/health`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    }
  });

  it('explains what is wrong with a token request', () => {
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, [MCX, ...args], { stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stderr: Buffer }).stderr);
      }
    };
    expect(run(['token', '--role', 'admin'])).toContain('--system is required');
    expect(run(['token', '--system', 'north', '--role', 'root', '--data-dir', dataDir])).toContain('--role is admin or system');
    expect(run(['token', '--system', 'nowhere', '--data-dir', dataDir])).toContain('start the system first');
    expect(run(['token', '--system', 'north', '--role', 'system', '--lifetime', '3600', '--data-dir', dataDir])).toContain('at most 300');
  });
});
