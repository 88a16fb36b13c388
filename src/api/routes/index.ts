import type { ApiContext } from '../context.js';
import type { Route } from '../types.js';
import { functionRoutes } from './functions.js';
import { invokeRoutes } from './invoke.js';
import { invokeStreamRoutes } from './invoke-stream.js';
import { sluiceLogRoutes } from './sluice-logs.js';
import { sluiceEventRoutes } from './sluice-events.js';
import { sluiceDebugRoutes } from './sluice-debug.js';
import { urlConfigRoutes } from './url-configs.js';
import { eventInvokeConfigRoutes } from './event-invoke-configs.js';
import { aliasRoutes } from './aliases.js';
import { concurrencyRoutes } from './concurrency.js';
import { provisionedConcurrencyRoutes } from './provisioned-concurrency.js';
import { accountSettingsRoutes } from './account-settings.js';
import { layerRoutes } from './layers.js';
import { permissionRoutes } from './permissions.js';
import { tagRoutes } from './tags.js';
import { logGroupRoutes } from './logs-groups.js';
import { logEventRoutes } from './logs-events.js';
import { metricsRoutes } from './metrics.js';
import { eventRoutes } from './events.js';
import { schedulerRoutes } from './scheduler.js';
import { sluiceScheduleRoutes } from './sluice-schedules.js';

/** Every route group of the Lambda API. One file per resource group. */
export function allRoutes(ctx: ApiContext): Route[] {
  return [
    ...functionRoutes(ctx),
    ...invokeRoutes(ctx),
    ...invokeStreamRoutes(ctx),
    ...sluiceLogRoutes(ctx),
    ...sluiceEventRoutes(ctx),
    ...sluiceDebugRoutes(ctx),
    ...urlConfigRoutes(ctx),
    ...eventInvokeConfigRoutes(ctx),
    ...aliasRoutes(ctx),
    ...concurrencyRoutes(ctx),
    ...provisionedConcurrencyRoutes(ctx),
    ...accountSettingsRoutes(ctx),
    ...layerRoutes(ctx),
    ...permissionRoutes(ctx),
    ...tagRoutes(ctx),
    ...logGroupRoutes(ctx),
    ...logEventRoutes(ctx),
    ...metricsRoutes(ctx),
    ...eventRoutes(ctx),
    ...schedulerRoutes(ctx),
    ...sluiceScheduleRoutes(ctx),
  ];
}
