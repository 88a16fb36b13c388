export * from './config.js';
export * from './client-settings.js';
