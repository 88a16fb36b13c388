/** Every resource lives in one account and one region. */
export interface Scope {
  readonly account: string;
  readonly region: string;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
