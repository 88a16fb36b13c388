import type { FunctionVersion } from './function-model.js';

/** The one transition function for a version's State / LastUpdateStatus. */
export type FunctionEvent =
  | { type: 'created' }
  | { type: 'code-ready' }
  | { type: 'code-failed'; reason: string }
  | { type: 'update-started' }
  | { type: 'update-succeeded' }
  | { type: 'update-failed'; reason: string; code: string };

type StateFields = Pick<FunctionVersion,
  'state' | 'stateReason' | 'stateReasonCode' | 'lastUpdateStatus' | 'lastUpdateStatusReason' | 'lastUpdateStatusReasonCode'>;

export function transition(v: StateFields, event: FunctionEvent): StateFields {
  switch (event.type) {
    case 'created':
      return { state: 'Pending', stateReason: 'The function is being created.', stateReasonCode: 'Creating', lastUpdateStatus: 'InProgress' };
    case 'code-ready':
      return v.state === 'Pending'
        ? { state: 'Active', lastUpdateStatus: 'Successful' }
        : { state: v.state, lastUpdateStatus: 'Successful' };
    case 'code-failed':
      return v.state === 'Pending'
        ? { state: 'Failed', stateReason: event.reason, stateReasonCode: 'InvalidZipFileException', lastUpdateStatus: 'Failed', lastUpdateStatusReason: event.reason, lastUpdateStatusReasonCode: 'InvalidZipFileException' }
        : { state: v.state, lastUpdateStatus: 'Failed', lastUpdateStatusReason: event.reason, lastUpdateStatusReasonCode: 'InvalidZipFileException' };
    case 'update-started':
      return { state: v.state === 'Failed' ? 'Pending' : v.state, lastUpdateStatus: 'InProgress', lastUpdateStatusReason: 'The function is being created.', lastUpdateStatusReasonCode: 'Creating' };
    case 'update-succeeded':
      return { state: v.state === 'Pending' ? 'Active' : v.state, lastUpdateStatus: 'Successful' };
    case 'update-failed':
      return { state: v.state, lastUpdateStatus: 'Failed', lastUpdateStatusReason: event.reason, lastUpdateStatusReasonCode: event.code };
  }
}

/** Whether the version can serve invocations and accept new updates. */
export const isSettled = (v: StateFields): boolean => v.state !== 'Pending' && v.lastUpdateStatus !== 'InProgress';
