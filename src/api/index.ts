export { ApiServer, type ApiServerOptions } from './server.js';
export type { ApiContext } from './context.js';
export { allRoutes } from './routes/index.js';
export { FunctionLifecycle } from './services/function-lifecycle.js';
export { UrlSigner } from './services/url-signer.js';
export { loadCredentials, exportLines, credentialsFile, type AccountCredentials, type CredentialSet } from './auth/credentials.js';
