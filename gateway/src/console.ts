/**
 * The administrators' console (console/, built by `npm run build` into dist/console) at /console.
 * Static files only: the console talks to this gateway's /graphql like any other client. Nothing is
 * loaded from elsewhere (the Content-Security-Policy says so).
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** dist/console, from dist/gateway/src (built) — never the console's sources. */
export function builtConsoleDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, '..', '..', 'console'), join(here, '..', '..', 'dist', 'console')]) {
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return null;
}

export async function registerConsole(app: FastifyInstance): Promise<void> {
  const root = builtConsoleDir();
  app.get('/console', async (_request, reply) => reply.redirect('/console/'));
  if (root === null) {
    app.get('/console/*', async (_request, reply) => reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run npm run build.\n'));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    index: ['index.html'],
    setHeaders(reply, path) {
      const host = reply.request.headers.host ?? '';
      reply.header('content-security-policy', `default-src 'self'; connect-src 'self' ws://${host} wss://${host}; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'`);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
