// Worker entry: registers tsx in this thread, then loads the TypeScript responder.
import { register } from "tsx/esm/api";

register();
await import("./responder-worker.ts");
