import type { ApiContext } from '../context.js';
import type { Route } from '../types.js';
import { functionRoutes } from './functions.js';

/** Every route group of the Lambda API. One file per resource group. */
export function allRoutes(ctx: ApiContext): Route[] {
  return [
    ...functionRoutes(ctx),
  ];
}
