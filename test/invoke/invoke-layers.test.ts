import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PublishLayerVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, fixtureZip, invoke, PYTHON, waitUpdated } from './helpers.js';

let t: TestServer;
let layerA: string;
let layerB: string;
before(async () => {
  t = await startTestServer();
  const publish = async (name: string, fixture: string) => (await t.lambda.send(new PublishLayerVersionCommand({
    LayerName: name, Content: { ZipFile: fixtureZip(fixture) }, CompatibleRuntimes: ['nodejs22.x', 'python3.12'],
  }))).LayerVersionArn!;
  layerA = await publish('inv-layer-a', 'inv-layer-a');
  layerB = await publish('inv-layer-b', 'inv-layer-b');
});
after(async () => { await t.close(); });

test('Node: layers are merged into /opt in order (later ones win) and found through NODE_PATH', async () => {
  await createFunction(t.lambda, 'inv-layers-node', 'inv-layer-user-node', { Layers: [layerA, layerB] });
  assert.deepEqual((await invoke(t.lambda, 'inv-layers-node')).body, { lib: 'from layer b', onlyA: 'only in layer a' });
  // Reordering the layers is a configuration change: a new environment sees the other order.
  await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'inv-layers-node', Layers: [layerB, layerA] }));
  await waitUpdated(t.lambda, 'inv-layers-node');
  assert.deepEqual((await invoke(t.lambda, 'inv-layers-node')).body, { lib: 'from layer a', onlyA: 'only in layer a' });
});

test('Python: layers are merged into /opt in order and importable from /opt/python', async () => {
  await createFunction(t.lambda, 'inv-layers-py', 'inv-layer-user-python', { ...PYTHON, Layers: [layerA, layerB] });
  assert.deepEqual((await invoke(t.lambda, 'inv-layers-py')).body, { lib: 'from layer b', onlyA: 'only in layer a' });
});
