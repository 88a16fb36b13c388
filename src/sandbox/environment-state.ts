/**
 * The life of one execution environment: starting → ready ⇄ busy … → discarded. One invocation at a time;
 * a failed init or a failed invocation (timeout, crash, out of memory) discards it.
 */
export type EnvironmentState = 'starting' | 'ready' | 'busy' | 'discarded';

export type EnvironmentEvent =
  | 'init-succeeded'
  | 'init-failed'
  | 'invoke-started'
  | 'invoke-finished'
  | 'invoke-failed'
  | 'discard';

export class InvalidEnvironmentTransition extends Error {
  constructor(readonly from: EnvironmentState, readonly event: EnvironmentEvent) {
    super(`environment cannot handle ${event} while ${from}`);
  }
}

export function transition(from: EnvironmentState, event: EnvironmentEvent): EnvironmentState {
  if (event === 'discard') return 'discarded';
  switch (from) {
    case 'starting':
      if (event === 'init-succeeded') return 'ready';
      if (event === 'init-failed') return 'discarded';
      break;
    case 'ready':
      if (event === 'invoke-started') return 'busy';
      break;
    case 'busy':
      if (event === 'invoke-finished') return 'ready';
      if (event === 'invoke-failed') return 'discarded';
      break;
    case 'discarded':
      break;
  }
  throw new InvalidEnvironmentTransition(from, event);
}
