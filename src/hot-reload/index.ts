export { HotReload, RELOAD_LOG_STREAM, type ReloadEvent, type HotReloadOptions } from './hot-reload.js';
export { DirectoryWatcher, isScratchFile } from './directory-watcher.js';
export { DebugSessions, DebugSession } from './debug/debug-sessions.js';
export { DebugRelay } from './debug/debug-relay.js';
export { FunctionDirectories } from './function-directories.js';
