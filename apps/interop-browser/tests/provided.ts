// What this app's globalSetup hands to tests, besides natsUrl/natsWsUrl.
declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
  }
}

export {};
