// A NATS connection that only keeps what was last published, for measuring the
// envelope work of a send and a receive without a network: the NATS client's
// own cost is left out of both the reference path and natsbridge alike.

import type { Msg, NatsConnection } from "@nats-io/nats-core";

export interface StubConnection {
  connection: NatsConnection;
  /** The bytes of the last publish. */
  lastPublished(): Uint8Array;
}

export function stubConnection(): StubConnection {
  const encoder = new TextEncoder();
  let last: Uint8Array = new Uint8Array(0);
  const connection = {
    info: { max_payload: 4 * 1024 * 1024 },
    publish(_subject: string, data?: Uint8Array | string) {
      last = typeof data === "string" ? encoder.encode(data) : data!;
    },
    isClosed: () => false,
  } as unknown as NatsConnection;
  return { connection, lastPublished: () => last };
}

const decoder = new TextDecoder();

/** `data` as a received message on `subject`. */
export const asMsg = (data: Uint8Array, subject: string) => ({ data, string: () => decoder.decode(data), subject }) as unknown as Msg;
