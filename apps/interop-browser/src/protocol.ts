// What the chat page and its responders agree on (walkthrough scenario 1):
// subjects, payload names, and the colours the tests look for in screenshots.

/** Where the page sends prompts (the walkthrough's subject). */
export const PROMPT_SUBJECT = "/agent/wine/api/v1/prompt";
/** Where replies go unless the page is told otherwise. */
export const RESPONSE_SUBJECT = "/agent/wine/api/v1/response";

/** Payload names of a prompt: text, avatar image, an optional large attachment (by link) and options. */
export const PROMPT = { text: "msg", avatar: "avatar", attachment: "attachment", options: "options" } as const;
/** Payload names of a reply: text, a generated image, an optional large file (by link). */
export const REPLY = { text: "msg", image: "generated", receipt: "receipt", file: "report" } as const;

/** The responder's account of what it received (the `receipt` dictionary of a reply). */
export interface Receipt {
  text: string;
  avatarBytes: number;
  attachmentBytes?: number;
  attachmentSha256?: string;
  /** How each prompt payload travelled: dataname → "direct" | "link". */
  transports: Record<string, string>;
}

/** The options dictionary a prompt may carry. */
export interface PromptOptions {
  /** Ask the responder to add a binary payload of this many bytes (it goes back by link). */
  replyFileBytes?: number;
}

/** The avatar the page draws: a square of this colour with a white circle. */
export const AVATAR_RGB: readonly [number, number, number] = [200, 40, 40];
/** The image the Node responder generates: this colour with stripes of STRIPE_RGB. */
export const GENERATED_RGB: readonly [number, number, number] = [32, 160, 96];
export const STRIPE_RGB: readonly [number, number, number] = [250, 220, 40];
