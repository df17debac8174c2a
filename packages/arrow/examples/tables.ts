// Send a table as `arrowtable` (for Julia/JS receivers) and as `table` (for the
// Python reference), receive both, and print them as rows. Against your own
// nats-server:
//   NATS_URL=nats://127.0.0.1:4222 npx tsx packages/arrow/examples/tables.ts

import { arrow, arrowCodecs, tableFromRows, tableToRows } from "@natsbridge/arrow";
import { createBridge } from "@natsbridge/core";

const subject = "demo.natsbridge.tables";
const bridge = createBridge({ codecs: arrowCodecs(), senderName: "arrow-demo" });

const readings = [
  { sensor: "north", at: new Date("2026-03-01T08:00:00Z"), celsius: 4.5, count: 2n ** 60n },
  { sensor: "south", at: new Date("2026-03-01T08:00:00Z"), celsius: null, count: 17 },
];

const subscription = await bridge.subscribe(subject, {
  onError: (error) => console.error(`receiver: ${error.code}: ${error.message}`),
});
const received = (async () => {
  for await (const envelope of subscription) return envelope;
})();
await (await bridge.connection()).flush();

await bridge.smartsend(subject, [
  ["readings", readings, "arrowtable"],
  // With a schema: zone-less microsecond timestamps for this copy.
  ["readings_py", tableFromRows(readings, { schema: { at: new arrow.TimestampMicrosecond() } }), "table"],
]);

const envelope = await Promise.race([
  received,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no message within 10 s")), 10_000)),
]);
for (const [dataname, value, type] of envelope?.payloads ?? []) {
  const table = value as arrow.Table;
  console.log(
    `${dataname} (${type}): ${table.numRows} rows; schema ${table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(", ")}`,
  );
  console.log(tableToRows(table, { unsafeIntegers: "string" }));
}
await bridge.close();
