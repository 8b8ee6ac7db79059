/**
 * `fit`'s training checkpoints: everything a step run needs to continue as if it had never stopped —
 * model weights, optimizer and schedule state, the step counter, core's random-number state, the data
 * sources' positions and the history — written so that a crash at any moment leaves the previous
 * checkpoint intact. Node only (`node:fs`, loaded when used).
 */
import { ValueError, getRngState, loadSafetensors, readSafetensorsMetadata, saveSafetensors, setRngState, type RngState, type Tensor } from '@tessera/core';
import { writeFileAtomic } from './atomic-write';
import type { HistoryData } from './history';
import type { BatchSource, GradScalerLike, OptimizerLike, OptimizerStateLike, SchedulerLike, TrainableModel } from './types';

/** `fit`'s `checkpoint` option. */
export interface FitCheckpointOptions {
  /** The folder of the checkpoints (created if needed). */
  dir: string;
  /** Also write one every this many steps (default: only when training ends, is stopped or is aborted). */
  every?: number;
  /** How many checkpoints to keep, the newest (default 1). */
  keep?: number;
}

/** One file of a checkpoint, as its manifest records it. */
export interface FitCheckpointFile {
  /** Path relative to the checkpoint folder. */
  path: string;
  bytes: number;
  sha256: string;
}

/** The manifest `<dir>/checkpoint.json`: which files make up the latest checkpoint. */
export interface FitCheckpointManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** Optimizer steps done when it was written. */
  step: number;
  /** Its folder, relative to `dir` (`step-00000100`). */
  folder: string;
  files: { model: FitCheckpointFile; optimizer: FitCheckpointFile; trainer: FitCheckpointFile };
  /** When it was written (ISO 8601). */
  savedAt: string;
}

/** What `trainer.json` holds beside the tensors. */
interface TrainerState {
  step: number;
  rng: RngState;
  scheduler?: Record<string, unknown>;
  /** The loss scaler's state (mixed precision). */
  scaler?: object;
  train?: unknown;
  val?: unknown;
  history: HistoryData;
}

/** @internal The parts of a run a checkpoint saves and restores. */
export interface CheckpointParts {
  model: TrainableModel;
  optimizer: OptimizerLike;
  scheduler?: SchedulerLike;
  /** The loss scaler of a mixed-precision run. */
  scaler?: GradScalerLike;
  train: BatchSource;
  val?: BatchSource;
}

const MANIFEST = 'checkpoint.json';
const MANIFEST_FORMAT = 'tessera-fit-checkpoint';
const OPTIMIZER_METADATA = 'tessera.optimizer';
const STEP_FOLDER = /^step-(\d+)$/;

type FileSystem = typeof import('node:fs/promises');

/**
 * @internal Write a checkpoint of `parts` at `step` into `dir`: the files go to a new folder `step-<step>/`, each
 * written atomically, then the manifest `checkpoint.json` is replaced atomically to point at them — the
 * moment the new checkpoint counts — and only then are older folders beyond `keep` removed.
 */
export async function writeFitCheckpoint(dir: string, parts: CheckpointParts, step: number, history: HistoryData, keep = 1): Promise<FitCheckpointManifest> {
  const { join } = await import('node:path');
  const folder = `step-${String(step).padStart(8, '0')}`;
  const { model, optimizer, scheduler, scaler, train, val } = parts;
  const trainer: TrainerState = {
    step,
    rng: getRngState(),
    scheduler: scheduler?.stateDict?.(),
    scaler: scaler?.stateDict?.(),
    train: train.stateDict?.(),
    val: val?.stateDict?.(),
    history,
  };
  const contents = {
    model: await saveSafetensors(model.stateDict(), { format: 'pt', step: String(step) }),
    optimizer: await optimizerBytes(optimizer),
    trainer: new TextEncoder().encode(encodeJson(trainer)),
  };
  const names = { model: 'model.safetensors', optimizer: 'optimizer.safetensors', trainer: 'trainer.json' };
  const files = {} as FitCheckpointManifest['files'];
  for (const key of ['model', 'optimizer', 'trainer'] as const) {
    const path = `${folder}/${names[key]}`;
    await writeFileAtomic(join(dir, folder, names[key]), contents[key]);
    files[key] = { path, bytes: contents[key].length, sha256: await sha256(contents[key]) };
  }
  const manifest: FitCheckpointManifest = { format: MANIFEST_FORMAT, version: 1, step, folder, files, savedAt: new Date().toISOString() };
  await writeFileAtomic(join(dir, MANIFEST), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  await removeOldFolders(dir, step, keep);
  return manifest;
}

/**
 * Read and check the manifest of the latest checkpoint in `dir` (written by `fit`'s `checkpoint` option).
 * Paths in it are relative to `dir`; `<dir>/<files.model.path>` holds the weights as safetensors.
 * @example
 * const { step, files } = await readFitCheckpoint('runs/gpt');
 * model.loadStateDict(loadSafetensors(await readFile(join('runs/gpt', files.model.path))));
 */
export async function readFitCheckpoint(dir: string): Promise<FitCheckpointManifest> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const path = join(dir, MANIFEST);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new ValueError(`fit: no checkpoint to resume from: cannot read ${path} (${(error as Error).message}); it is written by fit's checkpoint option`);
  }
  let manifest: FitCheckpointManifest;
  try {
    manifest = JSON.parse(text) as FitCheckpointManifest;
  } catch (error) {
    throw new ValueError(`fit: the checkpoint manifest ${path} is corrupt: ${(error as Error).message}`);
  }
  const file = (entry: unknown) =>
    entry !== null && typeof entry === 'object' && typeof (entry as FitCheckpointFile).path === 'string' && typeof (entry as FitCheckpointFile).sha256 === 'string' && typeof (entry as FitCheckpointFile).bytes === 'number';
  if (
    manifest === null ||
    typeof manifest !== 'object' ||
    manifest.format !== MANIFEST_FORMAT ||
    !Number.isSafeInteger(manifest.step) ||
    manifest.step < 0 ||
    !file(manifest.files?.model) ||
    !file(manifest.files?.optimizer) ||
    !file(manifest.files?.trainer)
  ) {
    throw new ValueError(`fit: the checkpoint manifest ${path} is corrupt or not fit's (expected format '${MANIFEST_FORMAT}' with step and files model, optimizer, trainer)`);
  }
  if (manifest.version !== 1) throw new ValueError(`fit: the checkpoint manifest ${path} has version ${String(manifest.version)}; this version of fit reads version 1`);
  return manifest;
}

/**
 * @internal Load the latest checkpoint in `dir` into `parts` and core's random-number generator; returns its step
 * and history. Every file is checked against the manifest's size and sha256 before anything is loaded.
 */
export async function restoreFitCheckpoint(dir: string, parts: CheckpointParts): Promise<{ step: number; history: HistoryData }> {
  const { join } = await import('node:path');
  const manifest = await readFitCheckpoint(dir);
  const [modelBytes, optimizerFile, trainerBytes] = await Promise.all(
    (['model', 'optimizer', 'trainer'] as const).map((key) => readChecked(join(dir, manifest.files[key].path), manifest.files[key])),
  );
  const trainerPath = join(dir, manifest.files.trainer.path);
  let trainer: TrainerState;
  try {
    trainer = decodeJson(new TextDecoder().decode(trainerBytes)) as TrainerState;
  } catch (error) {
    throw new ValueError(`fit: checkpoint file ${trainerPath} is corrupt: ${(error as Error).message}`);
  }
  if (trainer === null || typeof trainer !== 'object' || trainer.step !== manifest.step || typeof trainer.rng?.seed !== 'number' || typeof trainer.history !== 'object') {
    throw new ValueError(`fit: checkpoint file ${trainerPath} is corrupt: expected the state of step ${manifest.step} (step, rng, history)`);
  }
  const { model, optimizer, scheduler, scaler, train, val } = parts;
  const device = model.parameters()[0]?.device;

  const modelPath = join(dir, manifest.files.model.path);
  const weights = parseTensors(modelPath, modelBytes, device);
  try {
    model.loadStateDict(weights);
  } catch (error) {
    throw new ValueError(`fit: cannot load the weights of ${modelPath} into the model: ${(error as Error).message}`);
  } finally {
    for (const weight of Object.values(weights)) weight.dispose();
  }

  restoreOptimizer(join(dir, manifest.files.optimizer.path), optimizerFile, optimizer, device);
  restoreState(trainerPath, 'scheduler', trainer.scheduler, scheduler);
  restoreState(trainerPath, 'loss scaler', trainer.scaler, scaler);
  restoreState(trainerPath, 'train source', trainer.train, train);
  restoreState(trainerPath, 'val source', trainer.val, val);
  setRngState(trainer.rng);
  return { step: manifest.step, history: trainer.history };
}

/** The optimizer's state as safetensors: tensors as `state.<position>.<name>`, everything else as JSON metadata. */
async function optimizerBytes(optimizer: OptimizerLike): Promise<Uint8Array> {
  const { state, paramGroups } = optimizer.stateDict!();
  const tensors: Record<string, Tensor> = {};
  const numbers: Record<string, Record<string, number>> = {};
  for (const [position, paramState] of Object.entries(state)) {
    for (const [name, value] of Object.entries(paramState)) {
      if (typeof value === 'number') (numbers[position] ??= {})[name] = value;
      else tensors[`state.${position}.${name}`] = value;
    }
  }
  return saveSafetensors(tensors, { format: 'tessera-optimizer', [OPTIMIZER_METADATA]: encodeJson({ paramGroups, numbers }) });
}

function restoreOptimizer(path: string, bytes: Uint8Array, optimizer: OptimizerLike, device: string | undefined): void {
  let saved: { paramGroups: object[]; numbers: Record<string, Record<string, number>> };
  try {
    saved = decodeJson(readSafetensorsMetadata(bytes)[OPTIMIZER_METADATA] ?? '') as typeof saved;
  } catch (error) {
    throw new ValueError(`fit: checkpoint file ${path} is corrupt: no optimizer state in its metadata (${(error as Error).message})`);
  }
  const tensors = parseTensors(path, bytes, device);
  try {
    const state: OptimizerStateLike['state'] = {};
    for (const [position, values] of Object.entries(saved.numbers ?? {})) state[Number(position)] = { ...values };
    for (const [key, value] of Object.entries(tensors)) {
      const match = /^state\.(\d+)\.(.+)$/.exec(key);
      if (!match) throw new ValueError(`fit: checkpoint file ${path} is corrupt: unexpected tensor '${key}'`);
      (state[Number(match[1])] ??= {})[match[2]] = value;
    }
    optimizer.loadStateDict!({ state, paramGroups: saved.paramGroups });
  } catch (error) {
    if (error instanceof ValueError && error.message.includes(path)) throw error;
    throw new ValueError(`fit: cannot load the optimizer state of ${path}: ${(error as Error).message}`);
  } finally {
    for (const value of Object.values(tensors)) value.dispose();
  }
}

function restoreState(path: string, what: string, saved: unknown, target: { loadStateDict?(state: any): void } | undefined): void {
  const has = saved !== undefined && saved !== null;
  if (!has && !target?.loadStateDict) return;
  if (has && !target?.loadStateDict) {
    throw new ValueError(`fit: the checkpoint ${path} holds the ${what}'s state, but this run's ${what} ${target ? 'has no loadStateDict()' : 'is missing'}`);
  }
  if (!has) throw new ValueError(`fit: the checkpoint ${path} holds no state for the ${what}, but this run's ${what} has one (stateDict()/loadStateDict()); was it written with the same setup?`);
  try {
    target!.loadStateDict!(saved);
  } catch (error) {
    throw new ValueError(`fit: cannot restore the ${what} from ${path}: ${(error as Error).message}`);
  }
}

function parseTensors(path: string, bytes: Uint8Array, device: string | undefined): Record<string, Tensor> {
  try {
    return loadSafetensors(bytes, { device });
  } catch (error) {
    throw new ValueError(`fit: checkpoint file ${path} is corrupt: ${(error as Error).message}`);
  }
}

async function readChecked(path: string, expected: FitCheckpointFile): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (error) {
    throw new ValueError(`fit: checkpoint file ${path} is missing or unreadable (${(error as Error).message})`);
  }
  if (bytes.length !== expected.bytes) throw new ValueError(`fit: checkpoint file ${path} is corrupt: ${bytes.length} bytes, the manifest says ${expected.bytes}`);
  if ((await sha256(bytes)) !== expected.sha256) throw new ValueError(`fit: checkpoint file ${path} is corrupt: its sha256 does not match the manifest`);
  return bytes;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** Keep the current folder and the `keep − 1` newest older ones; remove the rest (including leftovers of a crash). */
async function removeOldFolders(dir: string, current: number, keep: number): Promise<void> {
  const fs: FileSystem = await import('node:fs/promises');
  const { join } = await import('node:path');
  const steps = (await fs.readdir(dir))
    .map((name) => ({ name, match: STEP_FOLDER.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, step: Number(entry.match![1]) }));
  const kept = new Set(
    steps
      .filter((entry) => entry.step < current)
      .sort((a, b) => b.step - a.step)
      .slice(0, keep - 1)
      .map((entry) => entry.name),
  );
  for (const entry of steps) {
    if (entry.step === current || kept.has(entry.name)) continue;
    await fs.rm(join(dir, entry.name), { recursive: true, force: true });
  }
}

/** @internal JSON that keeps NaN and ±Infinity (a diverged loss, ReduceLROnPlateau's initial best) as `{ "$number": "NaN" }`. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? { $number: String(item) } : item));
}

/** @internal The inverse of {@link encodeJson}. */
export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const keys = Object.keys(item);
      const tagged = (item as { $number?: unknown }).$number;
      if (keys.length === 1 && (tagged === 'NaN' || tagged === 'Infinity' || tagged === '-Infinity')) return Number(tagged);
    }
    return item;
  });
}
