export * from './document-store.js';
export * from './blob-store.js';
export * from './code-store.js';
export * from './repositories.js';
export { SqliteDocumentStore } from './sqlite/sqlite-document-store.js';
export * from './event-queue.js';
export { SqliteEventQueue } from './sqlite/sqlite-event-queue.js';
export { inspectZip, extractZip, DEFAULT_ZIP_LIMITS, type ZipLimits, type ZipInspection, type ZipProblem } from './zip/zip-archive.js';
