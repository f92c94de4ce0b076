/**
 * The one place that maps the hub's errors to CoAP response codes, from the status `problemOf` gives them.
 * Messages never carry internal detail.
 */
import { UnavailableError } from "../../core/errors.ts";
import { problemOf } from "../shared/problem.ts";

export type CoapError = { code: string; message: string };

/** CoAP code per problem status; `message` replaces the problem's own text with a shorter fixed one. */
const BY_STATUS: Readonly<Record<number, { code: string; message?: string }>> = {
  400: { code: "4.00" },
  401: { code: "4.01", message: "unauthenticated" },
  403: { code: "4.03" },
  404: { code: "4.04" },
  409: { code: "4.09", message: "conflict; retry" },
  413: { code: "4.13" },
  429: { code: "4.29", message: "too many requests" },
  503: { code: "5.03", message: "unavailable; retry later" },
};

const INTERNAL: CoapError = { code: "5.00", message: "internal error" };

export function coapErrorOf(err: unknown): CoapError {
  const p = problemOf(err);
  // problemOf masks anything it does not know as 503; for CoAP that stays an internal error.
  if (p.status === 503 && !(err instanceof UnavailableError)) return INTERNAL;
  const entry = BY_STATUS[p.status];
  if (!entry) return INTERNAL;
  return { code: entry.code, message: entry.message ?? p.message.slice(0, 200) };
}
