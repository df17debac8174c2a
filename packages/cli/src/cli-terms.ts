// Library errors name library options (`allowedOrigins`, `store`,
// `sizeThreshold`); on the command line the same advice is a flag. Errors
// whose advice names an option carry the facts in `details`, and the CLI
// writes its own sentence from them.

import type { NatsBridgeError } from "@natsbridge/core";

// Keep in step with the messages of core's link-policy.ts and transport.ts (tests/cli-terms.test.ts runs both).

export function messageInCliTerms(error: NatsBridgeError): string {
  const d = error.details;
  if (error.code === "URL_NOT_ALLOWED" && d.option === "allowedOrigins" && typeof d.origin === "string") {
    return error.message
      .replace(
        /Allow it with the receiver option .*$/s,
        `Allow it with --allow-origin ${d.origin} (or --allow-any-host to trust every sender).`,
      )
      .replace(
        /allowAnyHost does not cover it\. List its origin in allowedOrigins/,
        `--allow-any-host does not cover it. Allow it with --allow-origin ${d.origin}`,
      );
  }
  if (error.code === "PAYLOAD_TOO_LARGE" && d.needsStore === true) {
    const threshold = Array.isArray(d.streamed) && Array.isArray(d.payloads) && d.streamed.length < d.payloads.length;
    return error.message.replace(
      /no claim-check store is configured; .*?\. Nothing was published\./,
      `no store is configured (--store none); use --store plik, http or s3${threshold ? ", or raise --size-threshold" : ""}. Nothing was published.`,
    );
  }
  return error.message;
}
