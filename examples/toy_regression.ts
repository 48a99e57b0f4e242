/**
 * Caffe2's "Toy Regression" tutorial in TypeScript, on the GPU through WebGPU (Dawn in Node; the
 * software adapter SwiftShader when there is no GPU). Run with `npm start`.
 */
import { workspace } from '../src/index.js';
import { buildToyRegression } from '../src/models/toy_regression.js';

const seedArg = process.argv.find((a) => a.startsWith('--seed='));
const adapter = await workspace.Init();
console.log(`Adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.description})${adapter.software ? ' [software]' : ''}`);
if (seedArg) workspace.SetSeed(Number(seedArg.slice('--seed='.length)));

const { init, train } = buildToyRegression();

console.log('Created init net:', init.Proto().op.length, 'ops; train net:', train.Proto().op.length, 'ops');
await workspace.RunNetOnce(init);
console.log('CreateNet:', await workspace.CreateNet(train));

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
const stats = await workspace.Stats();
console.log(`GPU work: ${stats.submits} submits, ${stats.dispatches} dispatches, ${stats.mapAsyncs} readbacks, ${stats.pipelines} pipelines`);

await workspace.Shutdown();
