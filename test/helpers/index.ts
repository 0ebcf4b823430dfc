/**
 * The test helpers: import them from here. runCli/spawnCli (cli.ts), tempDir (temp.ts),
 * expectGolden (golden.ts), cosign-format signatures (sigstore.ts). The registry harness has its own entry, ./registry/index.js (it
 * starts real registries; see its README).
 */
export * from './cli.js';
export * from './golden.js';
export * from './temp.js';
export { CORPUS } from '../fixtures/corpus.js';
export * from './state-scan.js';
export * from './sigstore.js';
