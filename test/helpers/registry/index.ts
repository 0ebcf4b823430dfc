/**
 * The registry harness, one entry: real Distribution registries on 127.0.0.1 (startRegistry),
 * images built in Node and pushed over HTTP, skopeo as the independent check, the fault proxy,
 * and an in-memory blob store. See README.md beside this file.
 */
export * from './blobs.js';
export * from './fault-proxy.js';
export * from './paging-proxy.js';
export * from './images.js';
export * from './push.js';
export * from './registry.js';
export * from './skopeo.js';
export type { TokenRequest, TokenServer } from './token-server.js';
