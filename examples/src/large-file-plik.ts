// A large file through Plik, the file server every NATSBridge reference uses:
// the sender streams the file from disk into a Plik one-shot upload (Plik
// deletes it after its first download), the envelope carries the Plik URL, the
// receiver streams the download to disk and checks its SHA-256. Julia and
// Python receivers fetch the same URL with a plain GET.
//
//   docker run -p 8080:8080 rootgg/plik     # a Plik server
//   NATS_URL=nats://127.0.0.1:4222 FILESERVER_URL=http://127.0.0.1:8080 pnpm example large-file-plik [file]
//
// Without a file it sends a 64 MB sample. `oneShot: false, ttl` makes links
// that several subscribers (or retries) can read until they expire.
import { plikReceiveOptions, plikStore } from "@natsbridge/plik";
import { makeSampleFile, report, transferLargeFile } from "./lib/large-file.js";

const url = process.env.FILESERVER_URL;
if (!url) {
  console.error("large-file-plik needs FILESERVER_URL pointing at a Plik server (e.g. docker run -p 8080:8080 rootgg/plik)");
  process.exit(2);
}
const path = process.argv[2] ?? (await makeSampleFile(Number(process.env.SAMPLE_BYTES ?? 64_000_000)));
const result = await transferLargeFile({
  store: plikStore({ url, oneShot: true }),
  receiveOptions: plikReceiveOptions,
  path,
  outDir: process.env.OUT_DIR ?? "received",
});
process.exit(report(result) ? 0 : 1);
