// The NATS client types core's shared code names, imported in this one place:
// the nats.js v3 packages (@nats-io/nats-core, @nats-io/jetstream). Code that
// only handles a connection or a message uses the structural types of
// nats-connection.ts instead, so that a `connection` from nats v2 or nats.ws fits too.

export type { JetStreamClient, JetStreamManager, JsMsg, PubAck, StreamConfig, StreamInfo } from "@nats-io/jetstream";
export type { ConnectionOptions, Msg, MsgHdrs, NatsConnection, Subscription } from "@nats-io/nats-core";
