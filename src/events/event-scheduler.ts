import { randomUUID } from 'node:crypto';
import type { Clock, Scope } from '../domain/scope.js';
import { ConflictException, ResourceNotFoundException, ValidationException } from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { Delivery } from './delivery.js';
import {
  DEFAULT_GROUP, scheduleArn, scheduleKey, scheduleTickKey, type ScheduleGroupRecord, type ScheduleRecord, type Tags,
} from '../domain/event-records.js';
import type { ScheduleRunner } from './schedule-runner.js';

/**
 * EventBridge Scheduler: schedule groups (the `default` group exists in every account and region) and schedules
 * that invoke a Lambda function with their target's Input on each tick of `at()`, `rate()` or `cron()`, in their
 * time zone, between their start and end dates. The wire is src/api/routes/scheduler.ts.
 */

const scheduleNotFound = (name: string) => new ResourceNotFoundException(`Schedule ${name} does not exist.`);
const groupNotFound = (name: string) => new ResourceNotFoundException(`Schedule group ${name} does not exist.`);

/** The schedule as CreateSchedule / UpdateSchedule give it (validated by the wire). */
export type ScheduleInput = Omit<ScheduleRecord, 'createdAt' | 'modifiedAt' | 'anchor' | 'activeSince'>;

export interface EventSchedulerOptions {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  delivery: Delivery;
}

export class EventScheduler {
  private runner: ScheduleRunner | undefined;

  constructor(private readonly options: EventSchedulerOptions) {}

  attachRunner(runner: ScheduleRunner): void {
    this.runner = runner;
  }

  // ------------------------------------------------------------------ groups

  group(scope: Scope, name: string): ScheduleGroupRecord {
    const { repos, clock } = this.options;
    const g = repos.scheduleGroups.get(scope, name);
    if (g) return g;
    if (name !== DEFAULT_GROUP) throw groupNotFound(name);
    // The default group exists in every account and region; it is recorded the first time it is looked at.
    const now = clock.now();
    const made: ScheduleGroupRecord = { name, createdAt: now, modifiedAt: now, tags: {} };
    repos.scheduleGroups.insert(scope, name, made);
    return made;
  }

  createGroup(scope: Scope, name: string, tags: Tags): void {
    const now = this.options.clock.now();
    if (name === DEFAULT_GROUP || !this.options.repos.scheduleGroups.insert(scope, name, { name, createdAt: now, modifiedAt: now, tags })) {
      throw new ConflictException(`Schedule group ${name} already exists.`);
    }
  }

  /** Deleting a group deletes its schedules. */
  deleteGroup(scope: Scope, name: string): void {
    if (name === DEFAULT_GROUP) throw new ValidationException('The default schedule group cannot be deleted.');
    const { repos } = this.options;
    repos.transaction(() => {
      if (!repos.scheduleGroups.delete(scope, name)) throw groupNotFound(name);
      for (const { doc } of repos.schedules.list(scope, { prefix: scheduleKey(name, '') })) {
        repos.scheduleTicks.delete(scope, scheduleTickKey(name, doc.name));
      }
      repos.schedules.deletePrefix(scope, scheduleKey(name, ''));
    });
    this.runner?.changed();
  }

  listGroups(scope: Scope): ScheduleGroupRecord[] {
    const stored = this.options.repos.scheduleGroups.list(scope).map((e) => e.doc);
    return [this.group(scope, DEFAULT_GROUP), ...stored.filter((g) => g.name !== DEFAULT_GROUP)].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  setGroupTags(scope: Scope, name: string, update: (tags: Tags) => Tags): void {
    const { repos } = this.options;
    repos.transaction(() => {
      const g = this.group(scope, name);
      g.tags = update(g.tags);
      repos.scheduleGroups.put(scope, name, g);
    });
  }

  // ------------------------------------------------------------------ schedules

  create(scope: Scope, input: ScheduleInput): string {
    const { repos, clock } = this.options;
    const now = clock.now();
    repos.transaction(() => {
      this.group(scope, input.groupName);
      const rec: ScheduleRecord = { ...input, createdAt: now, modifiedAt: now, anchor: input.startDate ?? now, activeSince: now };
      if (!repos.schedules.insert(scope, scheduleKey(input.groupName, input.name), rec)) {
        throw new ConflictException(`Schedule ${input.name} already exists.`);
      }
      // A schedule made again under an old name starts afresh.
      repos.scheduleTicks.delete(scope, scheduleTickKey(input.groupName, input.name));
    });
    this.runner?.changed();
    return scheduleArn(scope, input.groupName, input.name);
  }

  /** UpdateSchedule replaces the schedule with what it is given (members left out are cleared). */
  update(scope: Scope, input: ScheduleInput): string {
    const { repos, clock } = this.options;
    const now = clock.now();
    repos.transaction(() => {
      const key = scheduleKey(input.groupName, input.name);
      const old = repos.schedules.get(scope, key);
      if (!old) throw scheduleNotFound(input.name);
      const sameTiming = old.scheduleExpression === input.scheduleExpression && old.timeZone === input.timeZone && old.startDate === input.startDate;
      const rec: ScheduleRecord = {
        ...input, createdAt: old.createdAt, modifiedAt: now,
        anchor: sameTiming ? old.anchor : input.startDate ?? now,
        activeSince: sameTiming && old.state === 'ENABLED' && input.state === 'ENABLED' ? old.activeSince : now,
      };
      repos.schedules.put(scope, key, rec);
    });
    this.runner?.changed();
    return scheduleArn(scope, input.groupName, input.name);
  }

  get(scope: Scope, group: string, name: string): ScheduleRecord {
    const rec = this.options.repos.schedules.get(scope, scheduleKey(group, name));
    if (!rec) throw scheduleNotFound(name);
    return rec;
  }

  delete(scope: Scope, group: string, name: string): void {
    const { repos } = this.options;
    repos.transaction(() => {
      if (!repos.schedules.delete(scope, scheduleKey(group, name))) throw scheduleNotFound(name);
      repos.scheduleTicks.delete(scope, scheduleTickKey(group, name));
    });
    this.runner?.changed();
  }

  /** Schedules of every group (or one), in group then name order. */
  list(scope: Scope, group?: string): ScheduleRecord[] {
    if (group !== undefined) this.group(scope, group);
    return this.options.repos.schedules.list(scope, group === undefined ? {} : { prefix: scheduleKey(group, '') }).map((e) => e.doc);
  }

  // ------------------------------------------------------------------ firing

  /** One tick of a schedule: its target's Input (context attributes filled in), delivered asynchronously. */
  fire(scope: Scope, schedule: ScheduleRecord, at: number): void {
    const arn = scheduleArn(scope, schedule.groupName, schedule.name);
    const vars: Record<string, string> = {
      'aws.scheduler.schedule-arn': arn,
      'aws.scheduler.scheduled-time': new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      'aws.scheduler.execution-id': randomUUID(),
      'aws.scheduler.attempt-number': '1',
    };
    const input = schedule.target.Input ?? '{}';
    const payload = input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => vars[name] ?? whole);
    const req = {
      caller: { kind: 'schedule' as const, scheduleArn: arn, roleArn: schedule.target.RoleArn, account: scope.account },
      source: arn, targetId: schedule.name, targetArn: schedule.target.Arn, payload: Buffer.from(payload),
    };
    this.options.delivery.deliver(schedule.target.RetryPolicy ? { ...req, retryPolicy: schedule.target.RetryPolicy } : req);
  }

  /** The last tick has passed: ActionAfterCompletion DELETE removes the schedule. */
  completed(scope: Scope, schedule: ScheduleRecord): void {
    if (schedule.actionAfterCompletion !== 'DELETE') return;
    const { repos, logger } = this.options;
    repos.transaction(() => {
      repos.schedules.delete(scope, scheduleKey(schedule.groupName, schedule.name));
      repos.scheduleTicks.delete(scope, scheduleTickKey(schedule.groupName, schedule.name));
    });
    logger.info('schedule completed and deleted (ActionAfterCompletion DELETE)', { schedule: scheduleArn(scope, schedule.groupName, schedule.name) });
  }
}
