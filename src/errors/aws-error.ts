/**
 * The AWS error catalogue. One class per AWS error type; each knows its HTTP status and the exact
 * casing of the message key in AWS's model (`Message` or `message`). Serialized in one place:
 * src/api/wire/error-response.ts.
 */
export type MessageKey = 'Message' | 'message';

export class AwsError extends Error {
  readonly type: 'User' | 'Service';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly messageKey: MessageKey,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
    this.type = status >= 500 ? 'Service' : 'User';
  }
}

export class InvalidParameterValueException extends AwsError {
  constructor(message: string) { super('InvalidParameterValueException', 400, message, 'message'); }
}
/** Model-constraint violations (length, range, pattern) use this unmodeled code, as AWS does. */
export class ValidationException extends AwsError {
  constructor(message: string) { super('ValidationException', 400, message, 'message'); }
}
export class InvalidRequestContentException extends AwsError {
  constructor(message: string) { super('InvalidRequestContentException', 400, message, 'message'); }
}
export class ResourceNotFoundException extends AwsError {
  constructor(message: string) { super('ResourceNotFoundException', 404, message, 'Message'); }
}
export class ResourceConflictException extends AwsError {
  constructor(message: string) { super('ResourceConflictException', 409, message, 'message'); }
}
export class ResourceInUseException extends AwsError {
  constructor(message: string) { super('ResourceInUseException', 400, message, 'Message'); }
}
export class PreconditionFailedException extends AwsError {
  constructor(message: string) { super('PreconditionFailedException', 412, message, 'message'); }
}
export class PolicyLengthExceededException extends AwsError {
  constructor(message: string) { super('PolicyLengthExceededException', 400, message, 'message'); }
}
export class ProvisionedConcurrencyConfigNotFoundException extends AwsError {
  constructor(message: string) { super('ProvisionedConcurrencyConfigNotFoundException', 404, message, 'message'); }
}
export class CodeStorageExceededException extends AwsError {
  constructor(message: string) { super('CodeStorageExceededException', 400, message, 'message'); }
}
export class RequestTooLargeException extends AwsError {
  constructor(message: string) { super('RequestTooLargeException', 413, message, 'message'); }
}
/** The front door's code for oversized bodies (not the modeled RequestTooLargeException). */
export class RequestEntityTooLargeException extends AwsError {
  constructor(message: string) { super('RequestEntityTooLargeException', 413, message, 'Message'); }
}
export class UnsupportedMediaTypeException extends AwsError {
  constructor(message: string) { super('UnsupportedMediaTypeException', 415, message, 'message'); }
}
export type ThrottleReason =
  | 'ConcurrentInvocationLimitExceeded'
  | 'FunctionInvocationRateLimitExceeded'
  | 'ReservedFunctionConcurrentInvocationLimitExceeded'
  | 'ReservedFunctionInvocationRateLimitExceeded'
  | 'CallerRateLimitExceeded';
export class TooManyRequestsException extends AwsError {
  constructor(message: string, reason: ThrottleReason, retryAfterSeconds = 1) {
    super('TooManyRequestsException', 429, message, 'message', { Reason: reason }, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class ServiceException extends AwsError {
  constructor(message = 'The Lambda service encountered an internal error.') { super('ServiceException', 500, message, 'Message'); }
}
export class InvalidZipFileException extends AwsError {
  constructor(message: string) { super('InvalidZipFileException', 502, message, 'Message'); }
}
export class InvalidRuntimeException extends AwsError {
  constructor(message: string) { super('InvalidRuntimeException', 502, message, 'Message'); }
}
export class NoPublishedVersionException extends AwsError {
  constructor(message: string) { super('NoPublishedVersionException', 400, message, 'Message'); }
}

// CloudWatch Logs (JSON 1.1: every error is a 400 with `message`, except the service's own failures).
export class InvalidParameterException extends AwsError {
  constructor(message: string) { super('InvalidParameterException', 400, message, 'message'); }
}
/** CloudWatch Logs' not-found: the same code as Lambda's, but a 400. */
export class LogsResourceNotFoundException extends AwsError {
  constructor(message: string) { super('ResourceNotFoundException', 400, message, 'message'); }
}
export class ResourceAlreadyExistsException extends AwsError {
  constructor(message: string) { super('ResourceAlreadyExistsException', 400, message, 'message'); }
}
export class TooManyTagsException extends AwsError {
  constructor(message: string, resourceName: string) { super('TooManyTagsException', 400, message, 'message', { resourceName }); }
}

// EventBridge (JSON 1.1: client errors are 400s with `message`).
export class InvalidEventPatternException extends AwsError {
  constructor(message: string) { super('InvalidEventPatternException', 400, message, 'message'); }
}
export class EventsResourceNotFoundException extends AwsError {
  constructor(message: string) { super('ResourceNotFoundException', 400, message, 'message'); }
}
export class LimitExceededException extends AwsError {
  constructor(message: string) { super('LimitExceededException', 400, message, 'message'); }
}
// EventBridge Scheduler (REST-JSON).
export class ConflictException extends AwsError {
  constructor(message: string) { super('ConflictException', 409, message, 'Message'); }
}
export class ServiceQuotaExceededException extends AwsError {
  constructor(message: string) { super('ServiceQuotaExceededException', 402, message, 'Message'); }
}

// Authentication (unmodeled, sent by AWS's front door).
export class MissingAuthenticationTokenException extends AwsError {
  constructor() { super('MissingAuthenticationTokenException', 403, 'Missing Authentication Token', 'message'); }
}
export class UnrecognizedClientException extends AwsError {
  constructor() { super('UnrecognizedClientException', 403, 'The security token included in the request is invalid.', 'message'); }
}
export class InvalidSignatureException extends AwsError {
  constructor(message: string) { super('InvalidSignatureException', 403, message, 'message'); }
}
export class AccessDeniedException extends AwsError {
  constructor(message: string) { super('AccessDeniedException', 403, message, 'Message'); }
}
/** No route matches: AWS answers unknown paths with this code and a 404. */
export class UnknownOperationException extends AwsError {
  constructor() { super('UnknownOperationException', 404, 'Unknown operation', 'message'); }
}
export class IncompleteSignatureException extends AwsError {
  constructor(message: string) { super('IncompleteSignatureException', 400, message, 'message'); }
}
