export {};
export { ReferenceBackend, referencePlugin } from './testing/reference-backend';
