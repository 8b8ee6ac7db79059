export * from './backend/backend';
export * from './random/philox';
