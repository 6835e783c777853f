// The target contract (test/helpers/target-contract.ts) on plain containers of the real engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll } from 'vitest';
import { ConfigHistory } from '../../main/config/store.js';
import { PrometheusClient } from '../../main/prom/client.js';
import { LABEL } from '../../main/stack/definition.js';
import { serviceBase } from '../../main/stack/compose.js';
import { loadSpec } from '../../main/config/project.js';
import { Stack } from '../../main/stack/stack.js';
import { containersTarget } from '../../main/target/target.js';
import { startHungEngine, type HungEngine } from '../helpers/hung-engine.js';
import { requireImages, testImages } from '../helpers/images.js';
import { removeStack, stackEnv } from '../helpers/stack.js';
import { targetContract, type ContractSetup } from '../helpers/target-contract.js';

const docker = new Docker();
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obsdeck-target-'));
const project = `obsdeck-it-target-${process.pid}`;
let stack: Stack;
let hung: HungEngine;
let ready: ContractSetup;

beforeAll(async () => {
  await requireImages(docker, [testImages.api, testImages.prometheus, testImages.alertmanager]);
  const { spec, configDir } = loadSpec({ env: await stackEnv(project, home), data: home });
  stack = new Stack(docker, spec, { readyTimeoutMs: 120_000 });
  hung = await startHungEngine();
  ready = {
    target: containersTarget(stack),
    hung: containersTarget(new Stack(new Docker({ socketPath: hung.socket }), spec, { engineTimeoutMs: 500 })),
    configDir,
    history: new ConfigHistory(home),
    prometheus: new PrometheusClient(serviceBase(spec.services.find((s) => s.name === 'prometheus')!)!),
    volumes: async () => ((await docker.listVolumes({ filters: { label: [`${LABEL.project}=${project}`] } })).Volumes ?? []).map((v) => v.Name).sort(),
  };
}, 180_000);

afterAll(async () => {
  await hung?.close();
  await removeStack(stack, home);
}, 180_000);

targetContract('containers', () => ready);
