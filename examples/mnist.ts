/**
 * Caffe2's MNIST tutorial in TypeScript: LeNet trained on the GPU from a minidb, by default on
 * Fashion-MNIST (Debian's dataset-fashion-mnist: MNIST's IDX format and sizes). Run with
 * `npm run mnist -- [--data DIR] [--iters N] [--out DIR]`; `--help` lists the options.
 */
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { core, model_helper, net_drawer, netDrawer, proto, workspace } from '../src/index.js';
import { makeMnistDbCommand } from '../src/proto/make_mnist_db_command.js';
import { AddAccuracy, AddBookkeepingOperators, AddInput, AddLeNetModel, AddTrainingOperators } from '../src/models/mnist.js';

const USAGE = `usage: npm run mnist -- [--data DIR] [--iters N] [--out DIR] [--batch N] [--chunk N] [--train_limit N] [--test_limit N] [--seed N]
                     [--eval_every N] [--stop_at ACC] [--base_lr LR] [--gamma G]
  --data DIR         MNIST IDX files (train-images-idx3-ubyte[.gz], …); default /usr/share/datasets/fashion-mnist
  --iters N          training iterations (default 2000)
  --batch N          training batch size (default 64, the tutorial's)
  --out DIR          where DBs, plots, the net drawing, the log and the saved model go (default out)
  --chunk N          iterations per RunNet call, one readback each (default 50)
  --train_limit N    use only the first N training images (default all)
  --test_limit N     use only the first N test images (default all)
  --seed N           the RNG seed of the parameter initialisation
  --eval_every N     also measure test accuracy every N iterations (default: only at the end)
  --stop_at ACC      stop training at the first such measurement that reaches ACC (e.g. 0.89)
  --base_lr LR       the "step" policy's base learning rate (default -0.1, the tutorial's; negative: descent)
  --gamma G          its decay per iteration (default 0.999, the tutorial's: the rate falls by e every 1,000)`;

/** The example's settings, from the command line. */
export interface MnistOptions {
  data: string;
  iters: number;
  batch: number;
  out: string;
  chunk: number;
  trainLimit?: number;
  testLimit?: number;
  seed?: number;
  evalEvery?: number;
  stopAt?: number;
  baseLr?: number;
  gamma?: number;
}

const TEST_BATCH = 100;

/** Parses `--name value` / `--name=value` flags; throws with the usage on a mistake. */
export function parseMnistArgs(argv: readonly string[]): MnistOptions | 'help' {
  const v: Record<string, string> = {};
  const names = ['data', 'iters', 'batch', 'out', 'chunk', 'train_limit', 'test_limit', 'seed', 'eval_every', 'stop_at', 'base_lr', 'gamma'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq < 0 ? undefined : eq) : '';
    if (!names.includes(name)) throw new Error(`unknown argument "${a}"\n${USAGE}`);
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    v[name] = value;
  }
  const int = (name: string, min: number): number | undefined => {
    if (v[name] === undefined) return undefined;
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v[name]}"`);
    return n;
  };
  const stopAt = v.stop_at === undefined ? undefined : Number(v.stop_at);
  if (stopAt !== undefined && !(stopAt > 0 && stopAt <= 1)) throw new Error(`--stop_at must be an accuracy in (0, 1], got "${v.stop_at}"`);
  if (stopAt !== undefined && v.eval_every === undefined) throw new Error(`--stop_at needs --eval_every (when to measure the test accuracy)\n${USAGE}`);
  const real = (name: string, ok: (x: number) => boolean, what: string): number | undefined => {
    if (v[name] === undefined) return undefined;
    const x = Number(v[name]);
    if (!ok(x)) throw new Error(`--${name} must be ${what}, got "${v[name]}"`);
    return x;
  };
  const baseLr = real('base_lr', (x) => Number.isFinite(x) && x !== 0, 'a non-zero number');
  const gamma = real('gamma', (x) => x > 0 && x <= 1, 'in (0, 1]');
  return {
    data: resolve(v.data ?? '/usr/share/datasets/fashion-mnist'),
    iters: int('iters', 1) ?? 2000,
    batch: int('batch', 1) ?? 64,
    out: resolve(v.out ?? 'out'),
    chunk: int('chunk', 1) ?? 50,
    ...(v.train_limit !== undefined ? { trainLimit: int('train_limit', 1)! } : {}),
    ...(v.test_limit !== undefined ? { testLimit: int('test_limit', 1)! } : {}),
    ...(v.seed !== undefined ? { seed: int('seed', 0)! } : {}),
    ...(v.eval_every !== undefined ? { evalEvery: int('eval_every', 1)! } : {}),
    ...(stopAt !== undefined ? { stopAt } : {}),
    ...(baseLr !== undefined ? { baseLr } : {}),
    ...(gamma !== undefined ? { gamma } : {}),
  };
}

/** `dir/stem`, or `dir/stem.gz` when only the gzipped file is there (as the files are distributed). */
function idxFile(dir: string, stem: string): string {
  for (const f of [stem, `${stem}.gz`]) if (existsSync(join(dir, f))) return join(dir, f);
  throw new Error(`no ${stem} or ${stem}.gz in ${dir} (--data DIR must hold MNIST's four IDX files)`);
}

/** make_mnist_db, as the tutorial's DBs were made: NCHW uint8 images, int32 labels. Resolves to the record count. */
async function makeDb(dir: string, split: 'train' | 't10k', output: string, limit: number | undefined): Promise<number> {
  const args = ['--image_file', idxFile(dir, `${split}-images-idx3-ubyte`), '--label_file', idxFile(dir, `${split}-labels-idx1-ubyte`)];
  args.push('--output_file', output, '--db', 'minidb', '--channel_first');
  if (limit !== undefined) args.push('--data_limit', String(limit));
  return makeMnistDbCommand(args, { stdout: () => {} });
}

/** A one-line progress bar, redrawn in place on a terminal (a line per chunk otherwise). */
function progress(done: number, total: number, loss: number, accuracy: number, ms: number, log: (line: string) => void): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} loss ${loss.toFixed(4)} accuracy ${accuracy.toFixed(3)} (${(ms / 1000).toFixed(1)} s)`;
  if (process.stdout.isTTY && log === console.log) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
  else log(line);
}

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, x) => s + x, 0) / a.length;

/** What a run produced: per-iteration loss and accuracy, the test accuracy, and the files written. */
export interface MnistResult {
  loss: number[];
  accuracy: number[];
  /** Test accuracy after each --eval_every interval (iteration, accuracy), then after the last iteration. */
  testCurve: { iteration: number; accuracy: number }[];
  testAccuracy: number;
  trainMs: number;
  files: string[];
}

/** Trains, tests, and writes the plots, drawing and saved model. Expects workspace.Init() done. */
export async function runMnist(o: MnistOptions, log: (line: string) => void = console.log): Promise<MnistResult> {
  mkdirSync(o.out, { recursive: true });
  const trainDb = join(o.out, 'mnist-train-nchw.minidb');
  const testDb = join(o.out, 'mnist-test-nchw.minidb');
  const trainCount = await makeDb(o.data, 'train', trainDb, o.trainLimit);
  const testCount = await makeDb(o.data, 't10k', testDb, o.testLimit);
  log(`DBs: ${trainCount} training and ${testCount} test images from ${o.data}`);
  workspace.ResetWorkspace();
  if (o.seed !== undefined) workspace.SetSeed(o.seed);

  // The tutorial's three models: train, test (sharing the trained parameters), deploy.
  const arg_scope = { order: 'NCHW' };
  const train_model = model_helper.ModelHelper({ name: 'mnist_train', arg_scope });
  let [data, label] = AddInput(train_model, o.batch, trainDb, 'minidb');
  let softmax = AddLeNetModel(train_model, data);
  AddTrainingOperators(train_model, softmax, label, { ...(o.baseLr !== undefined && { base_lr: o.baseLr }), ...(o.gamma !== undefined && { gamma: o.gamma }) });
  AddBookkeepingOperators(train_model);

  const testBatch = Math.min(TEST_BATCH, testCount);
  const test_model = model_helper.ModelHelper({ name: 'mnist_test', arg_scope, init_params: false });
  [data, label] = AddInput(test_model, testBatch, testDb, 'minidb');
  softmax = AddLeNetModel(test_model, data);
  AddAccuracy(test_model, softmax, label);

  const deploy_model = model_helper.ModelHelper({ name: 'mnist_deploy', arg_scope, init_params: false });
  const prediction = AddLeNetModel(deploy_model, 'data');

  // Print and Summarize lines (the tutorial's to_file=1) go to a log file, not the console.
  const logFile = join(o.out, 'mnist_train.log');
  const logStream = createWriteStream(logFile);
  workspace.SetLogSink((line) => logStream.write(`${line}\n`));
  const files: string[] = [];
  try {
    await workspace.RunNetOnce(train_model.param_init_net);
    await workspace.CreateNet(train_model.net, true);
    await workspace.RunNetOnce(test_model.param_init_net);
    await workspace.CreateNet(test_model.net, true);
    const name = train_model.net.Name();
    // One pass over the test DB: whole batches, so every pass starts at the DB's first record.
    const testIters = Math.floor(testCount / testBatch);
    const testPass = async (): Promise<number> => mean((await workspace.RunNetWithHistory(test_model.net.Name(), testIters, ['accuracy'])).accuracy!.data);
    const loss: number[] = [];
    const accuracy: number[] = [];
    const testCurve: { iteration: number; accuracy: number }[] = [];
    let trainMs = 0;
    let iters = o.iters;
    // One RunNet call per chunk: the GPU replays the step, and one readback brings the chunk's history.
    while (loss.length < iters) {
      const nextEval = o.evalEvery === undefined ? iters : Math.min(iters, (Math.floor(loss.length / o.evalEvery) + 1) * o.evalEvery);
      const k = Math.min(o.chunk, nextEval - loss.length);
      const t0 = performance.now();
      const h = await workspace.RunNetWithHistory(name, k, ['loss', 'accuracy']);
      trainMs += performance.now() - t0;
      loss.push(...h.loss!.data);
      accuracy.push(...h.accuracy!.data);
      progress(loss.length, iters, mean(h.loss!.data), mean(h.accuracy!.data), trainMs, log);
      if (loss.length === nextEval && loss.length < iters) {
        const a = await testPass();
        testCurve.push({ iteration: loss.length, accuracy: a });
        log(`test_accuracy at iteration ${loss.length}: ${a.toFixed(4)} (training time so far ${(trainMs / 1000).toFixed(1)} s)`);
        if (o.stopAt !== undefined && a >= o.stopAt) iters = loss.length;
      }
    }
    // A stop at --stop_at has just measured the last iteration; otherwise measure it now.
    if (testCurve.at(-1)?.iteration !== iters) testCurve.push({ iteration: iters, accuracy: await testPass() });
    const testAccuracy = testCurve.at(-1)!.accuracy;
    log(`test_accuracy: ${testAccuracy.toFixed(4)} (${testIters * testBatch} test images; ${iters} iterations at batch ${o.batch} in ${(trainMs / 1000).toFixed(1)} s of training)`);

    const iterations = loss.map((_, i) => i + 1);
    const write = (file: string, content: string | Uint8Array): void => {
      writeFileSync(join(o.out, file), content);
      files.push(file);
    };
    write('loss.svg', netDrawer.lineChart({ title: 'Training loss', xLabel: 'iteration', yLabel: 'loss', series: [{ name: 'loss', x: iterations, y: loss }] }));
    write(
      'accuracy.svg',
      netDrawer.lineChart({
        title: 'Training accuracy (per batch) and test accuracy',
        xLabel: 'iteration',
        yLabel: 'accuracy',
        series: [
          { name: 'batch accuracy', x: iterations, y: accuracy },
          { name: 'test accuracy', x: testCurve.map((p) => p.iteration), y: testCurve.map((p) => p.accuracy), points: true },
        ],
      }),
    );
    write('mnist_train_net.svg', await net_drawer.GetPydotGraphMinimal(train_model.net.Proto(), 'mnist_train', 'LR', true).create_svg());
    write('mnist_deploy_net.svg', await net_drawer.GetPydotGraph(deploy_model.net.Proto(), 'mnist_deploy', 'TB').create_svg());

    // The deploy model as Caffe2's model zoo ships one: predict_net.pb plus an init_net.pb that
    // fills the trained parameters; and the same model as ONNX.
    const params = deploy_model.GetParams().map(String);
    const values = await workspace.FetchBlobs(params);
    const init = core.Net('mnist_deploy_init');
    params.forEach((p, k) => init.GivenTensorFill([], p, { shape: [...values[k]!.shape], values: Array.from(values[k]!.data) }));
    const predict = deploy_model.net.Proto();
    predict.external_input = ['data', ...params];
    predict.external_output = [String(prediction)];
    write('mnist_deploy_init_net.pb', proto.netToProto(init));
    write('mnist_deploy_predict_net.pb', proto.netToProto(predict));
    write('mnist_deploy.onnx', await proto.exportOnnx(predict, { inputs: { data: [1, 1, 28, 28] }, outputs: [String(prediction)] }));
    log(`Wrote ${files.join(', ')} and mnist_train.log to ${o.out}`);
    return { loss, accuracy, testCurve, testAccuracy, trainMs, files };
  } finally {
    workspace.SetLogSink(null);
    await new Promise((done) => logStream.end(done));
  }
}

// Run as a script (not when a test imports runMnist).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const parsed = parseMnistArgs(process.argv.slice(2));
  if (parsed === 'help') console.log(USAGE);
  else {
    const adapter = await workspace.Init();
    console.log(`Adapter: ${adapter.vendor} ${adapter.architecture} (${adapter.description})${adapter.software ? ' [software]' : ''}`);
    await runMnist(parsed);
    const stats = await workspace.Stats();
    console.log(`GPU work: ${stats.submits} submits, ${stats.dispatches} dispatches, ${stats.mapAsyncs} readbacks, ${stats.pipelines} pipelines`);
    await workspace.Shutdown();
  }
}
