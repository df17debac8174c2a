// One line saying why an S3 call failed, from the SDK's error: the S3 error
// code (SignatureDoesNotMatch, NoSuchBucket, AccessDenied...), the HTTP status
// and the server's message. Facts only; credentials never appear in SDK errors.

export interface S3Failure {
  reason: string;
  details: { s3Code?: string; status?: number; requestId?: string };
}

export function describeS3Error(error: unknown): S3Failure {
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number; requestId?: string };
    cause?: { code?: string; message?: string };
  };
  const status = e?.$metadata?.httpStatusCode;
  const s3Code = e?.Code ?? (status !== undefined ? e?.name : undefined);
  const network = e?.code ?? e?.cause?.code;
  const message = e?.message ?? String(error);
  const parts = [s3Code ?? network ?? e?.name, status !== undefined ? `HTTP ${status}` : undefined].filter(Boolean);
  const reason = parts.length ? `${parts.join(", ")}: ${message}` : message;
  return {
    reason,
    details: {
      ...(s3Code ? { s3Code } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(e?.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
    },
  };
}
