/**
 * GraphiQL at /graphiql, served from the installed packages (no CDN: works on closed networks).
 * The Headers tab is open with a placeholder for the bearer token; it is sent with subscriptions too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file inside an installed package (resolved from its package.json: the packages' exports hide these files). */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mcx-mutual-aid · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql.css">
<style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/assets/react.js"></script>
<script src="/graphiql/assets/react-dom.js"></script>
<script src="/graphiql/assets/graphiql.js"></script>
<script>
  // Subscriptions go over WebSocket; GraphiQL sends the Headers tab as connection_init's payload.
  const graphqlUrl = new URL('/graphql', location.href);
  const subscriptionUrl = graphqlUrl.toString().replace(/^http/, 'ws');
  const fetcher = GraphiQL.createFetcher({ url: graphqlUrl.toString(), subscriptionUrl });
  const headers = JSON.stringify({ Authorization: 'Bearer <paste: node dist/cli/mcx.js token --system north --role admin>' }, null, 2);
  const query = '# Put a token in the Headers tab below, then run:\\n{\\n  north {\\n    name\\n    access { isOwner agreementStatus grants { scope } }\\n    users(limit: 5) { displayName organisation { name } phone }\\n  }\\n}\\n';
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: query, defaultHeaders: headers, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: true }),
  );
</script>
</body>
</html>`;

export function registerGraphiql(app: FastifyInstance): void {
  const loaded = new Map<string, string>();
  app.get('/graphiql', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get<{ Params: { name: string } }>('/graphiql/assets/:name', async (request, reply) => {
    const asset = ASSETS[request.params.name];
    if (!asset) return reply.code(404).send({ error: 'not found' });
    let body = loaded.get(request.params.name);
    if (body === undefined) {
      body = readFileSync(packageFile(asset.pkg, asset.file), 'utf8');
      loaded.set(request.params.name, body);
    }
    return reply.type(`${asset.type}; charset=utf-8`).header('cache-control', 'public, max-age=3600').send(body);
  });
}
