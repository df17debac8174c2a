// The HTTP that the Plik protocol (client.ts) needs, as a small interface with
// one implementation per platform: Node streams the multipart body through
// undici (http-node.ts), browsers send a FormData through fetch
// (http-browser.ts). The protocol code is written once on top of it.

export interface PlikResponse {
  status: number;
  text: string;
}

export interface PlikFilePart {
  /** File name as Plik will record it. */
  fileName: string;
  chunks: AsyncIterable<Uint8Array>;
  /** Byte size of the file, when known. */
  size: number | undefined;
  /** The whole file as a Blob, when the caller has one (a browser File): sent as is. */
  blob?: Blob | undefined;
}

export interface PlikRequest {
  headers: Record<string, string>;
  /** Give up when the server is silent for this long, in ms. */
  timeout: number;
  signal?: AbortSignal | undefined;
}

export interface PlikHttp {
  /** A JSON (or bodiless) API call; the answer is read whole. */
  send(method: "POST" | "DELETE", url: string, body: string | undefined, request: PlikRequest): Promise<PlikResponse>;
  /** POST a multipart/form-data body whose part "file" is the file. */
  postFile(url: string, file: PlikFilePart, request: PlikRequest): Promise<PlikResponse>;
}
