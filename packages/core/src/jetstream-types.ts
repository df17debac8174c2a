// The types of the JetStream API (publishing, streams, consumption) that
// the always-loaded modules name: options.ts, jetstream-api.ts and the
// exports import them from here rather than from the modules that are loaded
// on first use.

import type { PubAck, StreamConfig } from "@nats-io/jetstream";

/** `smartsend(subject, payloads, { jetstream: true | {...} })`. */
export interface JetStreamPublishOptions {
  /** The stream that must capture the subject; the server refuses the message otherwise. */
  stream?: string;
  /** Time limit in ms for each publish ack. Default 5000. */
  ackTimeout?: number;
  /** Publish attempts, all with the same Nats-Msg-Id. Default 10. */
  maxAttempts?: number;
  /** First delay between attempts in ms, doubled each time up to `maxRetryDelay`. Default 250. */
  retryDelay?: number;
  /** Upper bound of the delay between attempts in ms. Default 2000. */
  maxRetryDelay?: number;
  /**
   * Called with the stream's ack (sequence, and `duplicate` when the stream had
   * it already) and the number of attempts it took.
   */
  onAck?: (ack: PubAck, attempts: number) => void;
}

export type EnsureStreamConfig = { name: string; subjects: string[]; duplicateWindowMs?: number } & Partial<
  Omit<StreamConfig, "name" | "subjects">
>;

/** Delays before redelivery, in ms: a list (the last entry repeats) or a function of how many times the message was delivered. */
export type NakBackoff = readonly number[] | ((deliveryCount: number) => number);

export interface Consumption {
  /** Stop pulling; resolves when the message being handled is done. */
  stop(): Promise<void>;
  /** Resolves when consumption has stopped. */
  readonly closed: Promise<void>;
  readonly stats: ConsumeStats;
}

export interface ConsumeStats {
  /** Handled and acked. */
  acked: number;
  /** Redeliveries of messages already handled, acked without calling the handler. */
  duplicates: number;
  naked: number;
  terminated: number;
}
