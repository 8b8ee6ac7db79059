/**
 * @tessera/backend-conformance: the suite every Tessera backend plugin runs in its own tests.
 *
 * @example
 * // test/conformance.test.ts of a backend package
 * import { runConformance } from '@tessera/backend-conformance';
 * import { myPlugin } from '../src';
 * runConformance(myPlugin);
 */
export { runConformance } from './run-conformance';
export type { ConformanceOptions } from './options';
export { isSkipped } from './options';
export {
  DEFAULT_TOLERANCES,
  ConformanceError,
  expectClose,
  productScale,
  reductionScale,
  resolveTolerances,
  toleranceFor,
  type CloseOptions,
  type ResolvedTolerances,
  type Tolerance,
  type ToleranceOptions,
} from './tolerance';
export {
  LARGE_SHAPE,
  VIEW_KINDS,
  contiguousStrides,
  createRng,
  hostData,
  layoutView,
  randomData,
  randomShape,
  randomView,
  seedFor,
  sizeOf,
  standardShapes,
  type Layout,
  type Rng,
  type ShapeCase,
  type ValueDomain,
  type ViewKind,
  type ViewSpec,
} from './generators';
