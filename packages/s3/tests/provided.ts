// What tests/s3-global-setup.ts hands to tests (`inject("s3")`).
declare module "vitest" {
  export interface ProvidedContext {
    s3: {
      endpoint: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      /** A bucket created for this run. */
      bucket: string;
    };
  }
}

export {};
