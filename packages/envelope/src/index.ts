export {
  base64Length,
  createDirectPayload,
  createEnvelope,
  createLinkPayload,
  type DirectPayloadInput,
  type EnvelopeInput,
  isoTimestamp,
  type LinkPayloadInput,
  parseTimestamp,
  uuid4,
} from "./build.js";
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
  audioCodec,
  binaryCodec,
  type CodecContext,
  CodecRegistry,
  createCodecRegistry,
  decodeNow,
  decodeValue,
  defaultCodecs,
  dictionaryCodec,
  encodeNow,
  encodeValue,
  imageCodec,
  isPromiseLike,
  jsontableCodec,
  type PayloadCodec,
  textCodec,
  videoCodec,
} from "./codecs.js";
export * from "./errors.js";
export { directPayloadBytes, linkPayloadUrl, type ParseOptions, parseEnvelope, type ReadEnvelope, readEnvelope } from "./parse.js";
export { type SerializedEnvelope, type SerializeOptions, serializeEnvelope } from "./serialize.js";
export type * from "./types.js";
export { ENVELOPE_STRING_FIELDS } from "./types.js";
export {
  type DirectDraftInput,
  type DirectPayloadDraft,
  draftDirectPayload,
  draftEnvelope,
  draftLinkPayload,
  type EnvelopeDraft,
  envelopeByteLength,
  type LinkDraftInput,
  type LinkPayloadDraft,
  type PayloadDraft,
  type WrittenEnvelope,
  writeEnvelope,
} from "./write.js";
