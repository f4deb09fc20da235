import type { ContainerResources } from "../types";

/** Model families that are neural networks, whatever the manifest's "type" says (apps/fraudkit/app_folders.py's
 * DEEP_FAMILIES is the same list; __tests__/discovery-python.test.ts compares them). */
export const DEEP_LEARNING_FAMILIES: ReadonlySet<string> = new Set([
  "cnn",
  "lstm",
  "transformer",
  "transformers",
  "stacking-dl",
  "mlp",
  "neural-network",
]);

/** Linear models: small, fast to load. */
const LINEAR_FAMILIES = new Set(["logistic-regression", "logreg", "linear"]);

/** Container size of a neural network: ONNX Runtime plus a sequence model needs room to load and batch. */
export const DEEP_LEARNING_RESOURCES: ContainerResources = { cpu: 2048, memory: 4096 };
/** Container size of a tree ensemble or a stack of classic models. */
export const MACHINE_LEARNING_RESOURCES: ContainerResources = { cpu: 1024, memory: 2048 };
/** Container size of a linear model. */
export const LINEAR_RESOURCES: ContainerResources = { cpu: 512, memory: 1024 };

/** True for a model family that is a neural network (the Python side's is_deep_family). */
export function isDeepFamily(modelFamily: string): boolean {
  return DEEP_LEARNING_FAMILIES.has(modelFamily);
}

/** True when an app of this type/family is a neural network. */
export function isDeepLearning(type: string, modelFamily: string): boolean {
  return type === "deep-learning" || isDeepFamily(modelFamily);
}

/** The default container size for a model family (deep learning > tree ensembles > linear models). */
export function defaultResources(type: string, modelFamily: string): ContainerResources {
  if (isDeepLearning(type, modelFamily)) return { ...DEEP_LEARNING_RESOURCES };
  if (LINEAR_FAMILIES.has(modelFamily)) return { ...LINEAR_RESOURCES };
  return { ...MACHINE_LEARNING_RESOURCES };
}

// Fargate's valid memory (MiB) per CPU size: [min, max, step].
const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/** Why a CPU/memory pair is not a Fargate size, or undefined when it is one. */
export function fargateSizeError(resources: ContainerResources): string | undefined {
  const range = FARGATE_MEMORY[resources.cpu];
  if (range === undefined) {
    return `cpu ${resources.cpu} is not a Fargate size (valid: ${Object.keys(FARGATE_MEMORY).join(", ")})`;
  }
  const [min, max, step] = range;
  const memory = resources.memory;
  // 256 CPU units take 512, 1024 or 2048 MiB but not 1536, which the step rule alone would allow.
  const offGrid = (memory - min) % step !== 0 || (resources.cpu === 256 && memory === 1536);
  if (!Number.isInteger(memory) || memory < min || memory > max || offGrid) {
    return `memory ${memory} MiB is not valid with cpu ${resources.cpu} (valid: ${min}..${max} in steps of ${step})`;
  }
  return undefined;
}
