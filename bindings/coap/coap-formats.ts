/** Content-Format numbers ⇄ the names node-coap turns them into when it parses an option. Pure. */
import { contentFormatOf } from "../shared/content-formats.ts";

/** The Content-Format number of a parsed option value (name or number); undefined when absent or unknown. */
export function formatNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  return contentFormatOf(value);
}

export const LINK_FORMAT = 40;
export const JSON_FORMAT = 50;
