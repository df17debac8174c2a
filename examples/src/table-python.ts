// A table round trip with Python: natsbridge sends a table of students to a
// Python service (pandas), which adds a `grade` column and sends the table
// back. Tables go as `table`, the Python reference's type: an Arrow IPC file
// that `pyarrow.ipc.open_file(...).read_pandas()` reads, and natsbridge reads
// what pandas writes (its index column is dropped by tableToRows).
//
//   pnpm example table-python                 # starts nats-server and the Python service for you
//   NATS_URL=nats://127.0.0.1:4222 pnpm example table-python
//
// It starts python/table_service.py itself with $PYTHON (default python3),
// which needs nats-py, pandas and pyarrow, and the Python reference peer
// (apps/interop-python) on PYTHONPATH (or $NATSBRIDGE_PEER_DIR).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { arrowCodecs, isArrowTable, tableFromRows, tableToRows } from "@natsbridge/arrow";
import { createBridge } from "@natsbridge/core";
import { deadline } from "./lib/show.js";

const subject = "analysis.grades";
const service = fileURLToPath(new URL(process.env.TABLE_SERVICE ?? "../python/table_service.py", import.meta.url));
const peerDir = process.env.NATSBRIDGE_PEER_DIR ?? fileURLToPath(new URL("../../apps/interop-python", import.meta.url));

// The Python service, answering one request.
const python = spawn(process.env.PYTHON ?? "python3", [service, subject, "--count", "1"], {
  env: { ...process.env, PYTHONPATH: [peerDir, process.env.PYTHONPATH].filter(Boolean).join(":") },
  stdio: ["ignore", "pipe", "inherit"],
});
const exited = once(python, "exit");
await Promise.race([
  new Promise<void>((resolve) => python.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve())),
  exited.then(([code]) => Promise.reject(new Error(`the Python service exited (${code}) before it was ready`))),
  deadline(30_000, "python service"),
]);

const bridge = createBridge({ senderName: "natsbridge-teacher", codecs: arrowCodecs() });
const students = tableFromRows([
  { id: 1, name: "Alice", score: 95.5 },
  { id: 2, name: "Bob", score: 88 },
  { id: 3, name: "Chai", score: 71.25 },
  { id: 4, name: "นิด", score: 64 },
]);
const reply = await bridge.request(subject, [["students", students, "table"]], { timeout: 30_000 });
const graded = reply.payloads.find(([name]) => name === "students_graded")?.[1];
if (!isArrowTable(graded)) throw new Error("no graded table in the reply");
const rows = tableToRows(graded);
for (const row of rows)
  console.log(`${String(row.id).padStart(2)}  ${String(row.name).padEnd(6)} ${String(row.score).padStart(6)}  ${row.grade}`);
console.log(`summary from ${reply.sender_name}: ${JSON.stringify(reply.payloads.find(([name]) => name === "summary")?.[1])}`);

await bridge.close();
const [code] = await exited;
const ok = code === 0 && rows.map((r) => r.grade).join("") === "ABCD" && rows[3]!.name === "นิด";
console.log(ok ? "table-python: OK" : "table-python: FAILED");
process.exit(ok ? 0 : 1);
