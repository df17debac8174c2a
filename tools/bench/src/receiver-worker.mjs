// Worker entry: registers tsx in this thread, then loads the TypeScript receiver.
import { register } from "tsx/esm/api";

register();
await import("./receiver-worker.ts");
