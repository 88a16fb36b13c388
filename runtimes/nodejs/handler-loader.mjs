// Resolves the _HANDLER setting to a function the way AWS's Node.js runtime does: `[path/]module.export[.nested]`,
// module looked up under the task root as an extension-less file, .js (CommonJS, or ESM under "type":"module"),
// .mjs, .cjs (and TypeScript on Node >= 24), then by Node's resolution.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors.mjs';

// require() as if from the runtime's entry module: "Require stack" lines name it, as they name /var/runtime/index.mjs on AWS.
const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), 'index.mjs'));
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const nodeMajor = Number(process.versions.node.split('.')[0]);

function tryRequire(file) {
  return existsSync(file) ? require(file) : undefined;
}

async function tryImport(file) {
  return existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

/** Nearest package.json's "type" decides how .js loads; the search stops at the task root (nothing above it is the function's). */
function isTypeModule(folder, root) {
  for (let dir = folder; ; dir = resolve(dir, '..')) {
    if (dir.endsWith('/node_modules')) return false;
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        return JSON.parse(readFileSync(pj, 'utf8'))?.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    if (dir === root || dir === '/' || !dir.startsWith(root)) return false;
  }
}

async function loadModule(appRoot, moduleRoot, module) {
  const base = resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequire(base);
  if (extensionless) return extensionless;
  const esm = existsSync(`${base}.js`) && isTypeModule(dirname(base), appRoot);
  if (!esm) {
    const cjs = tryRequire(`${base}.js`);
    if (cjs) return cjs;
  }
  const ts = nodeMajor >= 24;
  const loaded = (esm && await tryImport(`${base}.js`))
    || await tryImport(`${base}.mjs`)
    || tryRequire(`${base}.cjs`)
    || (ts && !esm && tryRequire(`${base}.ts`))
    || (ts && esm && await tryImport(`${base}.ts`))
    || (ts && await tryImport(`${base}.mts`))
    || (ts && tryRequire(`${base}.cts`));
  if (loaded) return loaded;
  return require(require.resolve(module, { paths: [appRoot, moduleRoot] }));
}

export async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(FUNCTION_EXPR);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, module, path] = match;

  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) throw new ImportModuleError(e);
    throw e;
  }
  const fn = path.split('.').reduce((obj, key) => obj && obj[key], app);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}
