#!/usr/bin/env node
// The `natsbridge` executable.
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main() never throws; this is a last resort.
    console.error(error);
    process.exitCode = 1;
  },
);
