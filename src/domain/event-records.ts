import type { Scope } from './scope.js';

/** Stored records of EventBridge (buses, rules with their targets) and EventBridge Scheduler (groups, schedules). */

export const DEFAULT_BUS = 'default';
export const DEFAULT_GROUP = 'default';

export type Tags = Record<string, string>;

/** A custom bus, or the default bus once something (tags) had to be stored for it. */
export interface EventBusRecord {
  name: string;
  createdAt: number;
  tags: Tags;
}

/** A rule target as PutTargets gave it (the API's member names), echoed by ListTargetsByRule. */
export interface TargetRecord {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export type RuleState = 'ENABLED' | 'DISABLED';

export interface RuleRecord {
  name: string;
  eventBusName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  /** Rate schedules tick every period from here: when the expression was set. */
  scheduleAnchor?: number;
  /** No tick at or before this fires: when the schedule was set or the rule last enabled. */
  activeSince?: number;
  state: RuleState;
  description?: string;
  roleArn?: string;
  createdAt: number;
  targets: TargetRecord[];
  tags: Tags;
}

export interface ScheduleGroupRecord {
  name: string;
  createdAt: number;
  modifiedAt: number;
  tags: Tags;
}

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

export interface ScheduleRecord {
  name: string;
  groupName: string;
  scheduleExpression: string;
  timeZone?: string;
  /** Epoch ms. */
  startDate?: number;
  endDate?: number;
  state: RuleState;
  description?: string;
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  target: ScheduleTarget;
  createdAt: number;
  modifiedAt: number;
  /** Rate schedules tick every period from here (the start date, or when the expression was set). */
  anchor: number;
  /** No tick at or before this fires: when the schedule was last set or enabled. */
  activeSince: number;
}

/** The last tick a rule or schedule fired. */
export interface TickRecord {
  lastFired: number;
}

export const ruleKey = (bus: string, name: string) => `${bus}|${name}`;
export const scheduleKey = (group: string, name: string) => `${group}|${name}`;
export const ruleTickKey = (bus: string, name: string) => `rule|${bus}|${name}`;
export const scheduleTickKey = (group: string, name: string) => `schedule|${group}|${name}`;

export const eventBusArn = (scope: Scope, bus: string) => `arn:aws:events:${scope.region}:${scope.account}:event-bus/${bus}`;
/** Rules of the default bus omit the bus from their ARN. */
export const ruleArn = (scope: Scope, bus: string, name: string) =>
  `arn:aws:events:${scope.region}:${scope.account}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
export const scheduleArn = (scope: Scope, group: string, name: string) =>
  `arn:aws:scheduler:${scope.region}:${scope.account}:schedule/${group}/${name}`;
export const scheduleGroupArn = (scope: Scope, group: string) =>
  `arn:aws:scheduler:${scope.region}:${scope.account}:schedule-group/${group}`;
