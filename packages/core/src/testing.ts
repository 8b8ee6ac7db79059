/**
 * @tessera/core/testing — tools for testing ops and backends: finite-difference `gradcheck` and the
 * float64 reference backend used as the oracle by the conformance suite.
 * @example
 * import { gradcheck, referencePlugin } from '@tessera/core/testing';
 */
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck';
export { ReferenceBackend, referencePlugin } from './testing/reference-backend';
export { seededValues } from './testing/seeded-values';
