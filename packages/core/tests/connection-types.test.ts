// Type tests: the `connection` option takes the connections nats.js v3 makes,
// in Node (`connect` of @nats-io/transport-node) and in browsers (`wsconnect`
// of @nats-io/nats-core), without a cast. It used to be typed as nats v2's
// NatsConnection, and a v3 connection failed tsc with TS2739. The checks run
// where the package is typechecked (`pnpm typecheck`, in CI); under vitest
// they are no-ops. Connections from `nats` v2 and nats.ws are checked the same
// way in apps/client-compat, which has those clients installed.
import type { wsconnect } from "@nats-io/nats-core";
import type { connect } from "@nats-io/transport-node";
import type {
  BaseOptions,
  BridgeOptions,
  NatsBridge,
  NatsConnectionLike,
  NatsMessageLike,
  RequestOptions,
  SmartReceiveOptions,
  SmartSendOptions,
  SubscribeOptions,
} from "@natsbridge/core";
import { createBridge } from "@natsbridge/core";
import { describe, expectTypeOf, it } from "vitest";

type NodeConnection = Awaited<ReturnType<typeof connect>>;
type BrowserConnection = Awaited<ReturnType<typeof wsconnect>>;
type ConnectionOption = NonNullable<BaseOptions["connection"]>;

describe("the `connection` option's type", () => {
  it("is the structural NatsConnectionLike", () => {
    expectTypeOf<ConnectionOption>().toEqualTypeOf<NatsConnectionLike>();
  });

  it("accepts a nats.js v3 connection from @nats-io/transport-node `connect`", () => {
    expectTypeOf<NodeConnection>().toExtend<ConnectionOption>();
    expectTypeOf<{ connection: NodeConnection }>().toExtend<SmartSendOptions>();
    expectTypeOf<{ connection: NodeConnection }>().toExtend<SmartReceiveOptions>();
    expectTypeOf<{ connection: NodeConnection }>().toExtend<RequestOptions>();
    expectTypeOf<{ connection: NodeConnection }>().toExtend<SubscribeOptions>();
    expectTypeOf<{ connection: NodeConnection }>().toExtend<BridgeOptions>();
  });

  it("accepts a nats.js v3 connection from @nats-io/nats-core `wsconnect`", () => {
    expectTypeOf<BrowserConnection>().toExtend<ConnectionOption>();
    expectTypeOf<{ connection: BrowserConnection }>().toExtend<BridgeOptions>();
  });

  it("a v3 subscription's messages are the messages onError is given", () => {
    type V3Message = NodeConnection extends { subscribe(...args: never[]): AsyncIterable<infer M> } ? M : never;
    expectTypeOf<V3Message>().toExtend<NatsMessageLike>();
    expectTypeOf<NonNullable<SubscribeOptions["onError"]>>().parameter(1).toEqualTypeOf<NatsMessageLike>();
  });

  it("bridge.connection() has the type of the bridge's `connection`, else nats.js v3's", () => {
    // Creating a bridge opens nothing; its connection is opened on first use.
    const opened = createBridge({ brokerUrl: "nats://127.0.0.1:4222" });
    expectTypeOf(opened.connection).returns.resolves.toEqualTypeOf<NodeConnection>();
    const bridgeOver = (nc: BrowserConnection) => createBridge({ connection: nc });
    expectTypeOf(bridgeOver).returns.toEqualTypeOf<NatsBridge<BrowserConnection>>();
    expectTypeOf<NatsBridge<BrowserConnection>["connection"]>().returns.resolves.toEqualTypeOf<BrowserConnection>();
  });

  it("refuses what is not a NATS connection", () => {
    expectTypeOf<Omit<NodeConnection, "publish">>().not.toExtend<ConnectionOption>();
    expectTypeOf<Omit<NodeConnection, "subscribe">>().not.toExtend<ConnectionOption>();
    expectTypeOf<{ publish(subject: string, payload: string): void }>().not.toExtend<ConnectionOption>();
    expectTypeOf<string>().not.toExtend<ConnectionOption>();
  });
});
