/**
 * The import rule of quorum's layers, checked by `make test` (depcruise). Data flows one way:
 * model <- redis <- observer/local/... <- deployment <- capabilities <- server/cli; the web UI
 * speaks only the server contract and the model.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'a cycle (types included) means two modules are one concept or a type is misplaced',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'model-is-pure',
      severity: 'error',
      comment: 'src/model holds plain types and pure functions: it imports nothing of ours',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'redis-only-model',
      severity: 'error',
      comment: 'the Redis adapter speaks the model and nothing above it',
      from: { path: '^src/redis/' },
      to: { path: '^src/', pathNot: '^src/(model|redis)/' },
    },
    {
      name: 'server-never-redis',
      severity: 'error',
      comment: 'the server calls services through the deployment handle; it opens no Redis link',
      from: { path: '^src/server/' },
      to: { path: '^src/redis/' },
    },
    {
      name: 'web-only-contract-and-model',
      severity: 'error',
      comment:
        'the UI imports the server contract (and the API type of the routes) and the model (pure), nothing else of ours',
      from: { path: '^web/src/' },
      to: { path: '^src/', pathNot: '^src/(model/|server/contract\\.ts$|server/app\\.ts$)' },
    },
    {
      name: 'web-contract-type-only',
      severity: 'error',
      comment: 'the server contract and the routes reach the browser as types only',
      from: { path: '^web/src/' },
      to: { path: '^src/server/(contract|app)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'the CLI is the top: services never reach back into it',
      from: { path: '^(src|web/src)/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|\\.fixture\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
