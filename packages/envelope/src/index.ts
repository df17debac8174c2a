export * from "./errors.js";
export type * from "./types.js";
export { ENVELOPE_STRING_FIELDS } from "./types.js";
export {
  bytesToHex,
  concatBytes,
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  ownBytes,
  toBytes,
} from "./bytes.js";
export {
  CodecRegistry,
  createCodecRegistry,
  decodeNow,
  decodeValue,
  defaultCodecs,
  encodeNow,
  encodeValue,
  isPromiseLike,
  audioCodec,
  binaryCodec,
  dictionaryCodec,
  imageCodec,
  jsontableCodec,
  textCodec,
  videoCodec,
  type CodecContext,
  type PayloadCodec,
} from "./codecs.js";
export { directPayloadBytes, linkPayloadUrl, parseEnvelope, readEnvelope, type ParseOptions, type ReadEnvelope } from "./parse.js";
export {
  base64Length,
  createDirectPayload,
  createEnvelope,
  createLinkPayload,
  isoTimestamp,
  parseTimestamp,
  uuid4,
  type DirectPayloadInput,
  type EnvelopeInput,
  type LinkPayloadInput,
} from "./build.js";
export { serializeEnvelope, type SerializedEnvelope, type SerializeOptions } from "./serialize.js";
export {
  draftDirectPayload,
  draftEnvelope,
  draftLinkPayload,
  envelopeByteLength,
  writeEnvelope,
  type DirectDraftInput,
  type DirectPayloadDraft,
  type EnvelopeDraft,
  type LinkDraftInput,
  type LinkPayloadDraft,
  type PayloadDraft,
  type WrittenEnvelope,
} from "./write.js";
