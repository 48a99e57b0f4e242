/**
 * The model code of Caffe2's MNIST tutorial (MNIST.ipynb), ported line for line: each Python line
 * is the comment above its TypeScript. The nets are the tutorial's (LeNet with conv2 of 50 filters,
 * as the notebook has it); the DB is a minidb of 8 random 28×28 uint8 images registered under the
 * tutorial's DB name, and the runs are two iterations at batch 4, so the test checks that the port
 * builds Caffe2's nets and that they run, not accuracy.
 */
import { describe, expect, it } from 'vitest';
import { DataType, brew, core, model_helper, optimizer, workspace, type BlobRef } from '../../src/index.js';
import { writeTensorDB } from '../../src/proto/db.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

type Model = ReturnType<typeof model_helper.ModelHelper>;

const BATCH = 4;

/** A minidb of Caffe2's MNIST records (uint8 [1,28,28] image, int32 label), registered as `name`. */
function registerDB(name: string, seed: number): void {
  const rng = makeRng(seed);
  const entries = Array.from({ length: 8 }, (_, r) => ({
    key: String(r).padStart(8, '0'),
    tensors: [
      { name: '', shape: [1, 28, 28], dtype: 'int32' as const, data: Int32Array.from({ length: 28 * 28 }, () => Math.floor(rng() * 256)), dataType: DataType.BYTE },
      { name: '', shape: [], dtype: 'int32' as const, data: Int32Array.of(Math.floor(rng() * 10)) },
    ],
  }));
  workspace.RegisterDB(name, writeTensorDB(entries, 'minidb'), 'minidb');
}

// def AddInput(model, batch_size, db, db_type):
function AddInput(model: Model, batch_size: number, db: string, db_type: string): [BlobRef, BlobRef] {
  // data_uint8, label = model.TensorProtosDBInput([], ["data_uint8", "label"], batch_size=batch_size, db=db, db_type=db_type)
  const [data_uint8, label] = model.TensorProtosDBInput([], ['data_uint8', 'label'], { batch_size, db, db_type });
  // data = model.Cast(data_uint8, "data", to=core.DataType.FLOAT)
  let data = model.Cast(data_uint8!, 'data', { to: core.DataType.FLOAT });
  // data = model.Scale(data, data, scale=float(1./256))
  data = model.Scale(data, data, { scale: 1 / 256 });
  // data = model.StopGradient(data, data)
  data = model.StopGradient(data, data);
  // return data, label
  return [data, label!];
}

// def AddLeNetModel(model, data):
function AddLeNetModel(model: Model, data: string | BlobRef): BlobRef {
  // conv1 = brew.conv(model, data, 'conv1', dim_in=1, dim_out=20, kernel=5)
  const conv1 = brew.conv(model, data, 'conv1', { dim_in: 1, dim_out: 20, kernel: 5 });
  // pool1 = brew.max_pool(model, conv1, 'pool1', kernel=2, stride=2)
  const pool1 = brew.max_pool(model, conv1, 'pool1', { kernel: 2, stride: 2 });
  // conv2 = brew.conv(model, pool1, 'conv2', dim_in=20, dim_out=50, kernel=5)
  const conv2 = brew.conv(model, pool1, 'conv2', { dim_in: 20, dim_out: 50, kernel: 5 });
  // pool2 = brew.max_pool(model, conv2, 'pool2', kernel=2, stride=2)
  const pool2 = brew.max_pool(model, conv2, 'pool2', { kernel: 2, stride: 2 });
  // fc3 = brew.fc(model, pool2, 'fc3', dim_in=50 * 4 * 4, dim_out=500)
  const fc3 = brew.fc(model, pool2, 'fc3', { dim_in: 50 * 4 * 4, dim_out: 500 });
  // relu = brew.relu(model, fc3, fc3)
  const relu = brew.relu(model, fc3, fc3);
  // pred = brew.fc(model, relu, 'pred', 500, 10)
  const pred = brew.fc(model, relu, 'pred', 500, 10);
  // softmax = brew.softmax(model, pred, 'softmax')
  const softmax = brew.softmax(model, pred, 'softmax');
  // return softmax
  return softmax;
}

// def AddAccuracy(model, softmax, label):
function AddAccuracy(model: Model, softmax: BlobRef, label: BlobRef): BlobRef {
  // accuracy = brew.accuracy(model, [softmax, label], "accuracy")
  const accuracy = brew.accuracy(model, [softmax, label], 'accuracy');
  // return accuracy
  return accuracy;
}

// def AddTrainingOperators(model, softmax, label):
function AddTrainingOperators(model: Model, softmax: BlobRef, label: BlobRef): void {
  // xent = model.LabelCrossEntropy([softmax, label], 'xent')
  const xent = model.LabelCrossEntropy([softmax, label], 'xent');
  // loss = model.AveragedLoss(xent, "loss")
  const loss = model.AveragedLoss(xent, 'loss');
  // AddAccuracy(model, softmax, label)
  AddAccuracy(model, softmax, label);
  // model.AddGradientOperators([loss])
  model.AddGradientOperators([loss]);
  // optimizer.build_sgd(model, base_learning_rate=0.1, policy="step", stepsize=1, gamma=0.999)
  optimizer.build_sgd(model, { base_learning_rate: 0.1, policy: 'step', stepsize: 1, gamma: 0.999 });
}

// def AddBookkeepingOperators(model):
function AddBookkeepingOperators(model: Model): void {
  // model.Print('accuracy', [], to_file=1)
  model.Print('accuracy', [], { to_file: 1 });
  // model.Print('loss', [], to_file=1)
  model.Print('loss', [], { to_file: 1 });
  // for param in model.params:
  for (const param of model.params) {
    // model.Summarize(param, [], to_file=1)
    model.Summarize(param, [], { to_file: 1 });
    // model.Summarize(model.param_to_grad[param], [], to_file=1)
    model.Summarize(model.param_to_grad.get(param)!, [], { to_file: 1 });
  }
}

describe('MNIST tutorial, model code line for line', () => {
  it('builds Caffe2\'s train, test and deploy nets and runs them', async () => {
    workspace.ResetWorkspace();
    const lines: string[] = [];
    workspace.SetLogSink((line) => lines.push(line));
    // arg_scope = {"order": "NCHW"}
    const arg_scope = { order: 'NCHW' };
    // train_model = model_helper.ModelHelper(name="mnist_train", arg_scope=arg_scope)
    const train_model = model_helper.ModelHelper({ name: 'mnist_train', arg_scope });
    registerDB('mnist-train-nchw-minidb', 1);
    registerDB('mnist-test-nchw-minidb', 2);
    // data, label = AddInput(train_model, batch_size=64, db=os.path.join(data_folder, 'mnist-train-nchw-lmdb'), db_type='lmdb')   (batch 4, a minidb)
    let [data, label] = AddInput(train_model, BATCH, 'mnist-train-nchw-minidb', 'minidb');
    // softmax = AddLeNetModel(train_model, data)
    let softmax = AddLeNetModel(train_model, data);
    // AddTrainingOperators(train_model, softmax, label)
    AddTrainingOperators(train_model, softmax, label);
    // AddBookkeepingOperators(train_model)
    AddBookkeepingOperators(train_model);

    // test_model = model_helper.ModelHelper(name="mnist_test", arg_scope=arg_scope, init_params=False)
    const test_model = model_helper.ModelHelper({ name: 'mnist_test', arg_scope, init_params: false });
    // data, label = AddInput(test_model, batch_size=100, db=os.path.join(data_folder, 'mnist-test-nchw-lmdb'), db_type='lmdb')   (batch 4, a minidb)
    [data, label] = AddInput(test_model, BATCH, 'mnist-test-nchw-minidb', 'minidb');
    // softmax = AddLeNetModel(test_model, data)
    softmax = AddLeNetModel(test_model, data);
    // AddAccuracy(test_model, softmax, label)
    AddAccuracy(test_model, softmax, label);

    // deploy_model = model_helper.ModelHelper(name="mnist_deploy", arg_scope=arg_scope, init_params=False)
    const deploy_model = model_helper.ModelHelper({ name: 'mnist_deploy', arg_scope, init_params: false });
    // AddLeNetModel(deploy_model, "data")
    AddLeNetModel(deploy_model, 'data');

    // What Caffe2 builds for these lines.
    const forward = ['TensorProtosDBInput', 'Cast', 'Scale', 'StopGradient', 'Conv', 'MaxPool', 'Conv', 'MaxPool', 'FC', 'Relu', 'FC', 'Softmax'];
    const types = train_model.net.Proto().op.map((o) => o.type);
    expect(types.slice(0, forward.length + 3)).toEqual([...forward, 'LabelCrossEntropy', 'AveragedLoss', 'Accuracy']);
    expect(types.filter((t) => t === 'WeightedSum')).toHaveLength(8);
    expect(types.filter((t) => t === 'Summarize')).toHaveLength(16);
    expect(train_model.params.map(String)).toEqual(['conv1_w', 'conv1_b', 'conv2_w', 'conv2_b', 'fc3_w', 'fc3_b', 'pred_w', 'pred_b']);
    expect(train_model.param_init_net.Proto().op.map((o) => o.type)).toEqual([
      ...Array.from({ length: 4 }, () => ['XavierFill', 'ConstantFill']).flat(),
      'ConstantFill',
      'CreateMutex',
      'ConstantFill',
    ]);
    expect(test_model.net.Proto().op.map((o) => o.type)).toEqual([...forward, 'Accuracy']);
    expect(deploy_model.net.Proto().op.map((o) => o.type)).toEqual(forward.slice(4));
    expect(test_model.param_init_net.Proto().op).toEqual([]);

    // workspace.RunNetOnce(train_model.param_init_net)
    await workspace.RunNetOnce(train_model.param_init_net);
    // workspace.CreateNet(train_model.net, overwrite=True)
    await workspace.CreateNet(train_model.net, true);
    // for i in range(total_iters): workspace.RunNet(train_model.net)   (2 here)
    await workspace.RunNet(train_model.net, 2);
    const loss = (await workspace.FetchBlob('loss')).data[0]!;
    expect(loss).toBeGreaterThan(0);
    expect(Number.isFinite(loss)).toBe(true);
    expect((await workspace.FetchBlob('optimizer_iteration')).data[0]).toBe(2);
    expect(lines.some((l) => l.startsWith('conv1_w_grad.summary'))).toBe(true);

    // workspace.RunNetOnce(test_model.param_init_net)
    await workspace.RunNetOnce(test_model.param_init_net);
    // workspace.CreateNet(test_model.net, overwrite=True)
    await workspace.CreateNet(test_model.net, true);
    // workspace.RunNet(test_model.net.Proto().name)
    await workspace.RunNet(test_model.net.Proto().name);
    const accuracy = (await workspace.FetchBlob('accuracy')).data[0]!;
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    workspace.SetLogSink(null);
    workspace.UnregisterDB('mnist-train-nchw-minidb');
    workspace.UnregisterDB('mnist-test-nchw-minidb');
  }, 180_000);
});
