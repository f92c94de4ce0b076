/**
 * The closed set of errors Spokes raises on purpose. Every boundary (GraphQL, MQTT, CoAP, HTTP, CLI) maps these
 * in one function; anything else is unexpected and is masked before it leaves the process.
 * Messages are written for the person who sent the input and never contain secrets.
 */
export type Issue = { path: string; message: string };

export class SpokesError extends Error {
  override name = "SpokesError";
}

/** Input failed a schema: `issues` says which field and why. */
export class ValidationError extends SpokesError {
  override name = "ValidationError";
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[] = [], options?: ErrorOptions) {
    super(message, options);
    this.issues = issues;
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends SpokesError {
  override name = "NotFoundError";
}

/** The caller's credentials are missing, wrong, expired, or belong to a disabled or revoked device. */
export class UnauthenticatedError extends SpokesError {
  override name = "UnauthenticatedError";
}

/** The caller may not do this. */
export class ForbiddenError extends SpokesError {
  override name = "ForbiddenError";
}

/** A state-dependent append lost a race: the subject moved on since the caller read it. */
export class ConflictError extends SpokesError {
  override name = "ConflictError";
  readonly subject: string;
  readonly expectedSeq: number;
  constructor(subject: string, expectedSeq: number, options?: ErrorOptions) {
    super(`${subject} changed since sequence ${expectedSeq}; read it again and retry`, options);
    this.subject = subject;
    this.expectedSeq = expectedSeq;
  }
}

/** A dependency is missing, too old or unreachable; the message says what to do. */
export class UnavailableError extends SpokesError {
  override name = "UnavailableError";
}

/** The caller sent too much too fast; retry after `retryAfterMs`. */
export class RateLimitedError extends SpokesError {
  override name = "RateLimitedError";
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}
