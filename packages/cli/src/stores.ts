// The claim-check store the CLI sends link payloads to, and the receive
// options that go with it (the store reads the link URLs it owns).

import { type ClaimCheckStore, httpStore, type SmartReceiveOptions } from "@natsbridge/core";
import { plikReceiveOptions, plikStore } from "@natsbridge/plik";
import type { CliConfig } from "./config.js";
import { UsageError } from "./exit-codes.js";

/** The AWS SDK is loaded only when the S3 store is used: it is the slowest import by far. */
export async function makeStore(config: CliConfig): Promise<ClaimCheckStore | undefined> {
  switch (config.store) {
    case "none":
      return undefined;
    case "http":
      return httpStore({ baseUrl: config.fileserverUrl });
    case "plik":
      return plikStore({ url: config.fileserverUrl, ...config.plik });
    case "s3": {
      const { bucket, endpoint, region, forcePathStyle, keyPrefix } = config.s3;
      if (!bucket)
        throw new UsageError('--store s3 needs a bucket: --s3-bucket, $NATSBRIDGE_S3_BUCKET or "s3": {"bucket"} in the config file');
      const { s3Store } = await import("@natsbridge/s3");
      return s3Store({
        bucket,
        ...(endpoint ? { endpoint } : {}),
        ...(region ? { region } : {}),
        ...(forcePathStyle !== undefined ? { forcePathStyle } : {}),
        ...(keyPrefix ? { keyPrefix } : {}),
      });
    }
  }
}

/** Receive options: the allowlist, and Plik's plain-error user agent when Plik is the store. */
export function receiveOptions(config: CliConfig, store: ClaimCheckStore | undefined): SmartReceiveOptions {
  return {
    fileserverUrl: config.fileserverUrl,
    allowedOrigins: config.allowedOrigins,
    allowAnyHost: config.allowAnyHost,
    ...(store ? { store } : {}),
    ...(config.store === "plik" ? plikReceiveOptions : {}),
  };
}
