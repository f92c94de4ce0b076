/** The one place that maps the hub's errors to CoAP response codes. Messages never carry internal detail. */
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from "../../core/errors.ts";
import { TooLargeError } from "../shared/problem.ts";

export type CoapError = { code: string; message: string };

export function coapErrorOf(err: unknown): CoapError {
  if (err instanceof TooLargeError) return { code: "4.13", message: err.message.slice(0, 200) };
  if (err instanceof ValidationError) return { code: "4.00", message: err.message.slice(0, 200) };
  if (err instanceof UnauthenticatedError) return { code: "4.01", message: "unauthenticated" };
  if (err instanceof ForbiddenError) return { code: "4.03", message: err.message.slice(0, 200) };
  if (err instanceof NotFoundError) return { code: "4.04", message: err.message.slice(0, 200) };
  if (err instanceof ConflictError) return { code: "4.09", message: "conflict; retry" };
  if (err instanceof RateLimitedError) return { code: "4.29", message: "too many requests" };
  if (err instanceof UnavailableError) return { code: "5.03", message: "unavailable; retry later" };
  return { code: "5.00", message: "internal error" };
}
