// The NATS client types core's shared code is written against, imported in
// this one place: moving to another client (nats.js v3) changes this file,
// not every module that handles a message or a connection.

export type {
  ConnectionOptions,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  Msg,
  MsgHdrs,
  NatsConnection,
  PubAck,
  StreamConfig,
  StreamInfo,
  Subscription,
} from "nats";
