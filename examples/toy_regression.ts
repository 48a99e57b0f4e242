/**
 * Caffe2's "Toy Regression" tutorial in TypeScript, on the GPU through WebGPU (Dawn in Node; the
 * software adapter SwiftShader when there is no GPU). Run with `npm start`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { net_drawer, netDrawer, workspace } from '../src/index.js';
import { buildToyRegression } from '../src/models/toy_regression.js';

const seedArg = process.argv.find((a) => a.startsWith('--seed='));
const outDir = resolve(process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? 'out');
const adapter = await workspace.Init();
console.log(`Adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.description})${adapter.software ? ' [software]' : ''}`);
if (seedArg) workspace.SetSeed(Number(seedArg.slice('--seed='.length)));

const { init, train, forwardOps, gradientOps } = buildToyRegression();

console.log('Created init net:', init.Proto().op.length, 'ops; train net:', train.Proto().op.length, 'ops');
await workspace.RunNetOnce(init);
await workspace.CreateNet(train);
console.log('Planned the train net: shapes inferred, pipelines built; each RunNet replays it');

console.log(`Before training, W is: ${await workspace.FetchBlob('W')}`);
console.log(`Before training, B is: ${await workspace.FetchBlob('B')}`);

const t0 = performance.now();
for (let i = 0; i < 100; i++) await workspace.RunNet(train.Name());
await workspace.Sync();
const ms = performance.now() - t0;

console.log(`After training, W is: ${await workspace.FetchBlob('W')}`);
console.log(`After training, B is: ${await workspace.FetchBlob('B')}`);
console.log(`Ground truth W is: ${await workspace.FetchBlob('W_gt')}`);
console.log(`Ground truth B is: ${await workspace.FetchBlob('B_gt')}`);
console.log(`(100 iterations in ${ms.toFixed(1)} ms, ${((ms * 1000) / 100).toFixed(0)} µs per RunNet call)`);

// The tutorial then starts over and records the parameters over 50 iterations: here on the GPU,
// read back once.
await workspace.RunNetOnce(init);
const history = await workspace.RunNetWithHistory(train.Name(), 50, ['W', 'B', 'loss']);
const w = history.W!.data;
const b = history.B!.data;
const loss = history.loss!.data;
console.log('Parameter history over 50 iterations (iteration: w0 w1 b loss):');
for (const i of [0, 9, 19, 29, 39, 49]) {
  console.log(`  ${String(i + 1).padStart(2)}: ${w[2 * i]!.toFixed(4)} ${w[2 * i + 1]!.toFixed(4)} ${b[i]!.toFixed(4)} ${loss[i]!.toFixed(4)}`);
}
// The tutorial's pictures: the train net at its three stages, and the parameter paths.
mkdirSync(outDir, { recursive: true });
const ops = train.Proto().op;
const files: Array<[string, string]> = [
  ['train_forward.svg', await net_drawer.GetPydotGraph(ops.slice(0, forwardOps), 'train', 'LR').create_svg()],
  ['train_with_gradients.svg', await net_drawer.GetPydotGraph(ops.slice(0, gradientOps), 'train', 'LR').create_svg()],
  ['train_with_sgd.svg', await net_drawer.GetPydotGraph(ops, 'train', 'LR').create_svg()],
  [
    'w_path.svg',
    netDrawer.lineChart({
      title: 'W over 50 iterations',
      xLabel: 'w0',
      yLabel: 'w1',
      equalAxes: true,
      series: [
        { name: 'W', x: Array.from({ length: 50 }, (_, i) => w[2 * i]!), y: Array.from({ length: 50 }, (_, i) => w[2 * i + 1]!), points: true },
        { name: 'ground truth', x: [2.0], y: [1.5] },
      ],
    }),
  ],
  [
    'b_history.svg',
    netDrawer.lineChart({
      title: 'B over 50 iterations',
      xLabel: 'iteration',
      yLabel: 'b',
      series: [
        { name: 'B', y: b, points: true },
        { name: 'ground truth', x: [0, 49], y: [0.5, 0.5] },
      ],
    }),
  ],
];
for (const [file, svg] of files) writeFileSync(join(outDir, file), svg);
console.log(`Wrote ${files.map(([f]) => f).join(', ')} to ${outDir}`);

const stats = await workspace.Stats();
console.log(`GPU work: ${stats.submits} submits, ${stats.dispatches} dispatches, ${stats.mapAsyncs} readbacks, ${stats.pipelines} pipelines`);

await workspace.Shutdown();
