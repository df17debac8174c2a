// Type tests: connections made with `nats` v2 and nats.ws type-check as the
// bridge's `connection` (and as ensureStream's), with no cast. They run where
// this app is typechecked (`pnpm typecheck`, in CI); under vitest they are
// no-ops. nats.js v3 connections: packages/core/tests/connection-types.test.ts.

import type {
  BaseOptions,
  BridgeOptions,
  createBridge,
  ensureStream,
  NatsBridge,
  NatsMessageLike,
  RequestOptions,
  SmartReceiveOptions,
  SmartSendOptions,
  SubscribeOptions,
} from "@natsbridge/core";
import type { NatsConnection as V2Connection } from "nats";
import type { NatsConnection as WsConnection } from "nats.ws";
import { describe, expectTypeOf, it } from "vitest";

type ConnectionOption = NonNullable<BaseOptions["connection"]>;
type MessageOf<C> = C extends { subscribe(...args: never[]): AsyncIterable<infer M> } ? M : never;

describe("a nats v2 connection", () => {
  it("is accepted wherever the bridge takes a connection", () => {
    expectTypeOf<V2Connection>().toExtend<ConnectionOption>();
    expectTypeOf<{ connection: V2Connection }>().toExtend<SmartSendOptions>();
    expectTypeOf<{ connection: V2Connection }>().toExtend<SmartReceiveOptions>();
    expectTypeOf<{ connection: V2Connection }>().toExtend<RequestOptions>();
    expectTypeOf<{ connection: V2Connection }>().toExtend<SubscribeOptions>();
    expectTypeOf<{ connection: V2Connection }>().toExtend<BridgeOptions<V2Connection>>();
    expectTypeOf<V2Connection>().toExtend<Parameters<typeof ensureStream>[0]>();
  });

  it("is what connection() of a bridge made over it returns", () => {
    expectTypeOf<ReturnType<typeof createBridge<V2Connection>>>().toEqualTypeOf<NatsBridge<V2Connection>>();
    expectTypeOf<NatsBridge<V2Connection>["connection"]>().returns.resolves.toEqualTypeOf<V2Connection>();
  });

  it("delivers messages that onError takes", () => {
    expectTypeOf<MessageOf<V2Connection>>().toExtend<NatsMessageLike>();
  });
});

describe("a nats.ws connection", () => {
  it("is accepted wherever the bridge takes a connection", () => {
    expectTypeOf<WsConnection>().toExtend<ConnectionOption>();
    expectTypeOf<{ connection: WsConnection }>().toExtend<SmartSendOptions>();
    expectTypeOf<{ connection: WsConnection }>().toExtend<SmartReceiveOptions>();
    expectTypeOf<{ connection: WsConnection }>().toExtend<RequestOptions>();
    expectTypeOf<{ connection: WsConnection }>().toExtend<SubscribeOptions>();
    expectTypeOf<{ connection: WsConnection }>().toExtend<BridgeOptions<WsConnection>>();
    expectTypeOf<WsConnection>().toExtend<Parameters<typeof ensureStream>[0]>();
  });

  it("is what connection() of a bridge made over it returns", () => {
    expectTypeOf<ReturnType<typeof createBridge<WsConnection>>>().toEqualTypeOf<NatsBridge<WsConnection>>();
    expectTypeOf<NatsBridge<WsConnection>["connection"]>().returns.resolves.toEqualTypeOf<WsConnection>();
  });

  it("delivers messages that onError takes", () => {
    expectTypeOf<MessageOf<WsConnection>>().toExtend<NatsMessageLike>();
  });
});
