// Subjects by NATS's rules, checked before anything is serialized, uploaded or
// published: nats.js passes a subject with a space straight to the server,
// which reads `PUB a b 5` as subject `a` with reply-to `b`.
//
// - not empty, and no whitespace (space, tab, CR, LF, form feed) anywhere;
// - tokens (between dots) are never empty: no leading, trailing or double dot;
// - where a message is published (subject, reply-to), no wildcard tokens:
//   `*` and `>` only match, so a message cannot be sent to them;
// - where one subscribes, `>` may only be the last token.

import { InvalidSubjectError } from "@natsbridge/envelope";

/** A subject to publish on (the subject itself or a reply subject). `what` names it in the error. */
export function checkPublishSubject(subject: unknown, what = "subject", correlationId?: string): string {
  return check(subject, what, true, correlationId);
}

/** A subject to subscribe to: wildcards allowed, `>` last. */
export function checkSubscribeSubject(subject: unknown): string {
  return check(subject, "subject", false);
}

/** A queue group name: not empty, no whitespace. */
export function checkQueueName(queue: unknown): string {
  if (typeof queue !== "string" || !/^\S+$/.test(queue)) throw invalid(queue, "queue", "must be a non-empty name without whitespace");
  return queue;
}

/** Tokens of letters, digits and `-_/:` only: valid everywhere, decided in one pass. */
const PLAIN_SUBJECT = /^[\w\-/:]+(\.[\w\-/:]+)*$/;

function check(subject: unknown, what: string, publish: boolean, correlationId?: string): string {
  if (typeof subject === "string" && PLAIN_SUBJECT.test(subject)) return subject;
  let why: string | undefined;
  if (typeof subject !== "string" || subject === "") why = "must be a non-empty string";
  else if (/[ \t\r\n\f]/.test(subject)) why = "contains whitespace";
  else {
    const tokens = subject.split(".");
    const wildcard = tokens.find((t) => t === "*" || t === ">");
    if (tokens.includes("")) why = "has an empty token (a leading, trailing or double dot)";
    else if (publish && wildcard) why = `has the wildcard token '${wildcard}': messages are published on literal subjects only`;
    else if (tokens.slice(0, -1).includes(">")) why = "has '>' before its last token ('>' matches the rest of a subject)";
  }
  if (why) throw invalid(subject, what, why, correlationId);
  return subject as string;
}

function invalid(subject: unknown, what: string, why: string, correlationId?: string) {
  return new InvalidSubjectError(`${what} ${JSON.stringify(subject) ?? String(subject)} is not valid: it ${why}`, {
    correlationId,
    details: { [what]: subject },
  });
}
