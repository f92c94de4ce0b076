/** The LwM2M content-format codec: pure, data in and data out. Start at `decode` and `encode`. */
export { CONTENT_FORMAT, decode, decodeTimestamped, ENCODABLE_FORMATS, encode, encodeTimestamped } from "./codec.ts";
export { CodecError, type CodecErrorCode } from "./codec-error.ts";
export { formatPath, isUnder, type LwM2mPath, type PathLevel, parsePath, pathIds, pathLevel, pathOf } from "./path.ts";
export { absoluteTime, type TimestampedNode } from "./timed.ts";
export { decodeTlvValue } from "./tlv-values.ts";
export {
  formatObjectLink,
  type LwM2mNode,
  type MultipleResourceNode,
  type ObjectInstanceNode,
  type ObjectLink,
  type ObjectNode,
  parseObjectLink,
  type ResourceInstanceNode,
  type ResourceNode,
  type ResourceType,
  type ResourceTypes,
  type ResourceValue,
  type SingleResourceNode,
} from "./values.ts";
