import { randomUUID } from 'node:crypto';
import type { Clock, Scope } from '../domain/scope.js';
import {
  EventsResourceNotFoundException, InvalidEventPatternException, LimitExceededException, ResourceAlreadyExistsException,
  ValidationException,
} from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { Delivery } from './delivery.js';
import { targetPayload } from './input-transform.js';
import {
  DEFAULT_BUS, eventBusArn, ruleArn, ruleKey, ruleTickKey, type EventBusRecord, type RuleRecord, type RuleState,
  type TargetRecord, type Tags,
} from '../domain/event-records.js';
import { InvalidEventPattern, parseEventPattern, type EventPattern } from './pattern/event-pattern.js';
import { parseScheduleExpression, ScheduleExpressionError } from './schedule/schedule-expression.js';
import type { ScheduleRunner } from './schedule-runner.js';

/**
 * EventBridge state and behaviour: event buses (the default bus exists in every account and region), rules with
 * an event pattern and/or a schedule, their targets, PutEvents matching and delivery. The wire (members, model
 * constraints) is src/api/routes/events.ts.
 */

/** An event as EventBridge builds it (key order as AWS sends it). */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** `2024-01-01T00:00:00Z`: EventBridge event times have whole seconds. */
export const eventTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const MAX_TARGETS_PER_RULE = 5;
export const MAX_TAGS = 50;

export interface PutRuleInput {
  name: string;
  busName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: RuleState;
  description?: string;
  roleArn?: string;
  tags?: Tags;
}

export interface PutEventsEntry {
  Time?: number;
  Source?: string;
  Resources?: string[];
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

export type PutEventsResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface EventBridgeOptions {
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  delivery: Delivery;
}

const ruleNotFound = (name: string, bus: string) => new EventsResourceNotFoundException(`Rule ${name} does not exist on EventBus ${bus}.`);
const busNotFound = (name: string) => new EventsResourceNotFoundException(`Event bus ${name} does not exist.`);

export class EventBridge {
  private runner: ScheduleRunner | undefined;
  private readonly patterns = new Map<string, EventPattern>();

  constructor(private readonly options: EventBridgeOptions) {}

  /** The runner that fires scheduled rules (set once by the composition root). */
  attachRunner(runner: ScheduleRunner): void {
    this.runner = runner;
  }

  get delivery(): Delivery {
    return this.options.delivery;
  }

  // ------------------------------------------------------------------ buses

  busExists(scope: Scope, name: string): boolean {
    return name === DEFAULT_BUS || this.options.repos.eventBuses.get(scope, name) !== undefined;
  }

  requireBus(scope: Scope, name: string): void {
    if (!this.busExists(scope, name)) throw busNotFound(name);
  }

  createBus(scope: Scope, name: string, tags: Tags): string {
    const rec: EventBusRecord = { name, createdAt: this.options.clock.now(), tags };
    if (name === DEFAULT_BUS || !this.options.repos.eventBuses.insert(scope, name, rec)) {
      throw new ResourceAlreadyExistsException(`Event bus ${name} already exists.`);
    }
    return eventBusArn(scope, name);
  }

  deleteBus(scope: Scope, name: string): void {
    if (name === DEFAULT_BUS) throw new ValidationException('Cannot delete event bus default.');
    this.options.repos.transaction(() => {
      if (!this.options.repos.eventBuses.delete(scope, name)) return;
      for (const { doc } of this.options.repos.eventRules.list(scope, { prefix: ruleKey(name, '') })) {
        this.options.repos.scheduleTicks.delete(scope, ruleTickKey(name, doc.name));
      }
      this.options.repos.eventRules.deletePrefix(scope, ruleKey(name, ''));
    });
    this.runner?.changed();
  }

  listBuses(scope: Scope): string[] {
    const names = this.options.repos.eventBuses.list(scope).map((e) => e.key).filter((n) => n !== DEFAULT_BUS);
    return [DEFAULT_BUS, ...names].sort();
  }

  // ------------------------------------------------------------------ rules

  putRule(scope: Scope, input: PutRuleInput): string {
    const { repos, clock } = this.options;
    if (input.eventPattern === undefined && input.scheduleExpression === undefined) {
      throw new ValidationException('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    this.requireBus(scope, input.busName);
    if (input.eventPattern !== undefined) this.compile(input.eventPattern);
    if (input.scheduleExpression !== undefined) {
      if (input.busName !== DEFAULT_BUS) throw new ValidationException('ScheduleExpression is supported only on the default event bus.');
      try {
        parseScheduleExpression(input.scheduleExpression, false);
      } catch (err) {
        if (err instanceof ScheduleExpressionError) throw new ValidationException('Parameter ScheduleExpression is not valid.');
        throw err;
      }
    }
    const now = clock.now();
    repos.transaction(() => {
      const key = ruleKey(input.busName, input.name);
      const existing = repos.eventRules.get(scope, key);
      // PutRule replaces the rule: members left out are cleared. Targets and tags stay.
      const rule: RuleRecord = {
        name: input.name, eventBusName: input.busName, state: input.state ?? 'ENABLED', createdAt: existing?.createdAt ?? now,
        targets: existing?.targets ?? [], tags: existing?.tags ?? input.tags ?? {},
      };
      if (input.eventPattern !== undefined) rule.eventPattern = input.eventPattern;
      if (input.scheduleExpression !== undefined) {
        rule.scheduleExpression = input.scheduleExpression;
        const sameSchedule = existing?.scheduleExpression === input.scheduleExpression;
        rule.scheduleAnchor = sameSchedule ? existing.scheduleAnchor ?? existing.createdAt : now;
        const wasActive = sameSchedule && existing.state === 'ENABLED';
        rule.activeSince = wasActive ? existing.activeSince ?? rule.scheduleAnchor : now;
      }
      if (input.description !== undefined) rule.description = input.description;
      if (input.roleArn !== undefined) rule.roleArn = input.roleArn;
      repos.eventRules.put(scope, key, rule);
    });
    this.runner?.changed();
    return ruleArn(scope, input.busName, input.name);
  }

  getRule(scope: Scope, bus: string, name: string): RuleRecord {
    const rule = this.options.repos.eventRules.get(scope, ruleKey(bus, name));
    if (!rule) throw ruleNotFound(name, bus);
    return rule;
  }

  /** Rules of a bus in name order (the bus must exist). */
  listRules(scope: Scope, bus: string): RuleRecord[] {
    this.requireBus(scope, bus);
    return this.options.repos.eventRules.list(scope, { prefix: ruleKey(bus, '') }).map((e) => e.doc);
  }

  deleteRule(scope: Scope, bus: string, name: string): void {
    const { repos } = this.options;
    const rule = repos.eventRules.get(scope, ruleKey(bus, name));
    // Deleting a rule that does not exist succeeds (AWS answers 200).
    if (!rule) return;
    if (rule.targets.length > 0) throw new ValidationException("Rule can't be deleted since it has targets.");
    repos.transaction(() => {
      repos.eventRules.delete(scope, ruleKey(bus, name));
      repos.scheduleTicks.delete(scope, ruleTickKey(bus, name));
    });
    this.runner?.changed();
  }

  setRuleState(scope: Scope, bus: string, name: string, state: RuleState): void {
    const { repos, clock } = this.options;
    repos.transaction(() => {
      const rule = this.getRule(scope, bus, name);
      if (rule.state === state) return;
      rule.state = state;
      // Ticks that fell while it was disabled never fire.
      if (state === 'ENABLED') rule.activeSince = clock.now();
      repos.eventRules.put(scope, ruleKey(bus, name), rule);
    });
    this.runner?.changed();
  }

  putTargets(scope: Scope, bus: string, name: string, targets: TargetRecord[]): void {
    const { repos } = this.options;
    repos.transaction(() => {
      const rule = this.getRule(scope, bus, name);
      const byId = new Map(rule.targets.map((t) => [t.Id, t]));
      for (const t of targets) byId.set(t.Id, t);
      if (byId.size > MAX_TARGETS_PER_RULE) {
        throw new LimitExceededException(`The requested resource exceeds the maximum number allowed. Rule ${name} can have at most ${MAX_TARGETS_PER_RULE} targets.`);
      }
      rule.targets = [...byId.values()];
      repos.eventRules.put(scope, ruleKey(bus, name), rule);
    });
  }

  removeTargets(scope: Scope, bus: string, name: string, ids: string[]): void {
    const { repos } = this.options;
    repos.transaction(() => {
      const rule = this.getRule(scope, bus, name);
      rule.targets = rule.targets.filter((t) => !ids.includes(t.Id));
      repos.eventRules.put(scope, ruleKey(bus, name), rule);
    });
  }

  ruleNamesByTarget(scope: Scope, bus: string, targetArn: string): string[] {
    return this.listRules(scope, bus).filter((r) => r.targets.some((t) => t.Arn === targetArn)).map((r) => r.name);
  }

  // ------------------------------------------------------------------ tags (rules and buses, by ARN)

  tagsOf(scope: Scope, arn: string): Tags {
    const res = this.resource(scope, arn);
    if (res.kind === 'bus') return this.options.repos.eventBuses.get(scope, res.bus)?.tags ?? {};
    return this.getRule(scope, res.bus, res.name).tags;
  }

  updateTags(scope: Scope, arn: string, update: (tags: Tags) => Tags): void {
    const { repos, clock } = this.options;
    const res = this.resource(scope, arn);
    repos.transaction(() => {
      if (res.kind === 'bus') {
        const bus = repos.eventBuses.get(scope, res.bus) ?? { name: res.bus, createdAt: clock.now(), tags: {} };
        bus.tags = this.limitTags(update(bus.tags));
        repos.eventBuses.put(scope, res.bus, bus);
      } else {
        const rule = this.getRule(scope, res.bus, res.name);
        rule.tags = this.limitTags(update(rule.tags));
        repos.eventRules.put(scope, ruleKey(res.bus, res.name), rule);
      }
    });
  }

  private limitTags(tags: Tags): Tags {
    if (Object.keys(tags).length > MAX_TAGS) throw new LimitExceededException(`Number of tags exceeds resource tag limit. A resource can have at most ${MAX_TAGS} tags.`);
    return tags;
  }

  private resource(scope: Scope, arn: string): { kind: 'bus'; bus: string } | { kind: 'rule'; bus: string; name: string } {
    const m = /^arn:aws[a-zA-Z-]*:events:([a-z0-9-]+):(\d{12}):(event-bus|rule)\/(.+)$/.exec(arn);
    if (!m) throw new ValidationException(`Parameter ResourceARN is not valid.`);
    if (m[1] !== scope.region || m[2] !== scope.account) throw new EventsResourceNotFoundException(`Resource ${arn} does not exist.`);
    const path = m[4]!;
    if (m[3] === 'event-bus') {
      if (!this.busExists(scope, path)) throw busNotFound(path);
      return { kind: 'bus', bus: path };
    }
    const slash = path.lastIndexOf('/');
    const bus = slash < 0 ? DEFAULT_BUS : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (!this.busExists(scope, bus)) throw busNotFound(bus);
    return { kind: 'rule', bus, name };
  }

  // ------------------------------------------------------------------ events

  /** Validates a pattern as PutRule and TestEventPattern do (InvalidEventPatternException). */
  compile(pattern: string): EventPattern {
    const cached = this.patterns.get(pattern);
    if (cached) return cached;
    try {
      const p = parseEventPattern(pattern);
      if (this.patterns.size > 1000) this.patterns.clear();
      this.patterns.set(pattern, p);
      return p;
    } catch (err) {
      if (err instanceof InvalidEventPattern) throw new InvalidEventPatternException(err.awsMessage);
      throw err;
    }
  }

  putEvents(scope: Scope, entries: PutEventsEntry[]): PutEventsResult[] {
    const now = this.options.clock.now();
    return entries.map((entry) => {
      const problem = entryProblem(entry);
      if (problem) return problem;
      const bus = busNameOf(entry.EventBusName ?? DEFAULT_BUS);
      const event: EventEnvelope = {
        version: '0', id: randomUUID(), 'detail-type': entry.DetailType!, source: entry.Source!, account: scope.account,
        time: eventTime(entry.Time !== undefined ? entry.Time * 1000 : now), region: scope.region, resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail!),
      };
      // AWS accepts events for a bus that does not exist (they go nowhere); say so in our log at least.
      if (bus === undefined || !this.busExists(scope, bus)) {
        this.options.logger.warn('PutEvents entry for an event bus that does not exist: dropped', { eventBus: entry.EventBusName, id: event.id });
      } else {
        this.dispatch(scope, bus, event, now);
      }
      return { EventId: event.id };
    });
  }

  /** Sends an event to the targets of every enabled rule of the bus whose pattern matches it. */
  private dispatch(scope: Scope, bus: string, event: EventEnvelope, ingestedAt: number): void {
    for (const rule of this.options.repos.eventRules.list(scope, { prefix: ruleKey(bus, '') }).map((e) => e.doc)) {
      if (rule.state !== 'ENABLED' || rule.eventPattern === undefined) continue;
      let matched: boolean;
      try {
        matched = this.compile(rule.eventPattern).matches(event);
      } catch {
        continue;
      }
      if (matched) this.deliverToTargets(scope, rule, event as unknown as Record<string, unknown>, ingestedAt);
    }
  }

  /** A scheduled rule's tick: the `Scheduled Event` EventBridge sends (reference §8.5). */
  fireScheduledRule(scope: Scope, rule: RuleRecord, at: number): void {
    const event: EventEnvelope = {
      version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: scope.account,
      time: eventTime(at), region: scope.region, resources: [ruleArn(scope, rule.eventBusName, rule.name)], detail: {},
    };
    this.deliverToTargets(scope, rule, event as unknown as Record<string, unknown>, at);
  }

  private deliverToTargets(scope: Scope, rule: RuleRecord, event: Record<string, unknown>, ingestedAt: number): void {
    const arn = ruleArn(scope, rule.eventBusName, rule.name);
    for (const target of rule.targets) {
      const payload = targetPayload(target, event, { ruleArn: arn, ruleName: rule.name, ingestionTime: ingestedAt });
      const req = {
        caller: { kind: 'rule' as const, ruleArn: arn, account: scope.account }, source: arn, targetId: target.Id,
        targetArn: target.Arn, payload,
      };
      this.options.delivery.deliver(target.RetryPolicy ? { ...req, retryPolicy: target.RetryPolicy } : req);
    }
  }
}

/** A bus name, or the name inside a bus ARN. */
export function busNameOf(nameOrArn: string): string | undefined {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(nameOrArn)?.[1];
}

function entryProblem(entry: PutEventsEntry): PutEventsResult | undefined {
  const missing = (member: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.` });
  if (entry.Source === undefined || entry.Source === '') return missing('Source');
  if (entry.DetailType === undefined || entry.DetailType === '') return missing('DetailType');
  if (entry.Detail === undefined || entry.Detail === '') return missing('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}
