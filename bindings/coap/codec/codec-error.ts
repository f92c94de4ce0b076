import { ValidationError } from "../../../core/errors.ts";

/** What was wrong with a payload or a value; stable, so callers and tests can branch on it. */
export type CodecErrorCode =
  | "truncated"
  | "bad-length"
  | "bad-type"
  | "bad-value"
  | "bad-utf8"
  | "bad-json"
  | "bad-cbor"
  | "bad-path"
  | "path-mismatch"
  | "duplicate-id"
  | "trailing-bytes"
  | "unsupported-format";

/**
 * The only error the LwM2M codec throws, on any input. It is a ValidationError, so a CoAP boundary answers it
 * with 4.00 Bad Request (or 4.15 for `unsupported-format`) without knowing codec details. Messages describe the
 * payload, never echo it.
 */
export class CodecError extends ValidationError {
  override name = "CodecError";
  readonly code: CodecErrorCode;
  constructor(code: CodecErrorCode, message: string, options?: ErrorOptions) {
    super(message, [{ path: "payload", message: `${code}: ${message}` }], options);
    this.code = code;
  }
}

/** Runs `work` and turns anything it throws that is not a CodecError into one, so no stray error escapes. */
export function guarded<T>(work: () => T, code: CodecErrorCode, what: string): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CodecError) throw error;
    throw new CodecError(code, what, { cause: error });
  }
}
