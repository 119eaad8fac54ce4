/**
 * Curvature's import rules, written once and checked by `npm test` (test/unit/structure).
 * docs/architecture.md draws the same rooms. Layers inside app/, lowest first:
 *   util · data, engine, optim · model · modelio, schema · train · export · api, examples · cli
 * A folder may import its own layer's folder and any lower layer, never a higher one.
 */
const LAYERS = [
  ['util'],
  ['data', 'engine', 'optim'],
  ['model'],
  ['modelio', 'schema'],
  ['train'],
  ['export'],
  ['api', 'examples'],
  ['cli'],
];
const rank = Object.fromEntries(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));
const all = Object.keys(rank);

/** Each app/ folder may not import the folders ranked above it (or its same-rank siblings). */
const layerRules = all.map((from) => {
  const forbidden = all.filter((to) => to !== from && rank[to] >= rank[from]);
  return {
    name: `app-${from}-layer`,
    comment: `app/${from} may import only lower layers: ${all.filter((t) => rank[t] < rank[from]).join(', ') || 'none'}`,
    severity: 'error',
    from: { path: `^app/${from}/` },
    to: { path: `^app/(${forbidden.join('|')})/` },
  };
}).filter((r) => !r.to.path.includes('()'));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'app-no-electron',
      comment: 'app/ is platform-free: no Electron (it runs in plain Node, the trainer and the CLI)',
      severity: 'error',
      from: { path: '^(app|test|bench|support)/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'app-not-above',
      comment: 'app/ never imports main/, renderer/, test/, bench/ or support/',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^(main|renderer|test|bench|support)/' },
    },
    {
      name: 'renderer-only-through-ui',
      comment: 'the renderer reaches app/ only through app/ui.ts, the list of what the UI may use',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^app/', pathNot: '^app/ui\\.ts$' },
    },
    {
      name: 'renderer-not-main',
      comment: 'the renderer talks to main only through the API (preload or WebSocket)',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|test|bench|support)/' },
    },
    {
      name: 'ui-entry-no-node',
      comment: 'nothing reachable from app/ui.ts may use Node built-ins, an engine or a native package',
      severity: 'error',
      from: { path: '^app/ui\\.ts$' },
      to: {
        reachable: true,
        path: '^(node:|(fs|path|os|child_process|crypto|url|worker_threads|stream|zlib|net|http|https|util|events|buffer)$)|node_modules/(onnxruntime-node|@tensorflow|h5wasm|@duckdb|ws|fflate)/',
      },
    },
    {
      name: 'main-not-renderer',
      comment: 'main/ does not import the renderer, the tests or the benches',
      severity: 'error',
      from: { path: '^main/' },
      to: { path: '^(renderer|test|bench)/' },
    },
    {
      name: 'bench-not-test',
      comment: 'bench/ never imports test/; fixtures both need live in support/',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'support-not-test',
      comment: 'support/ is below test/ and bench/',
      severity: 'error',
      from: { path: '^support/' },
      to: { path: '^(test|bench|main|renderer)/' },
    },
    {
      name: 'no-circular',
      comment: 'no file cycles',
      severity: 'error',
      from: { path: '^(app|main)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|dist|compiled|node_modules|test-artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.json', '.svelte'] },
  },
};
