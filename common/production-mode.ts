/**
 * Imported first by every process entry point: unless told otherwise, run in production mode
 * (graphql-js skips its development-only instanceof checks, which cost about 5% of a subgraph's time).
 */
process.env.NODE_ENV ??= 'production';
