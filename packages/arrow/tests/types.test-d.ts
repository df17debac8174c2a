// Type tests: with @natsbridge/arrow in the program, table payloads are typed
// (TableInput when sending, an apache-arrow Table when received).

import { type arrow, tableFromRows } from "@natsbridge/arrow";
import { smartreceive, smartsend } from "@natsbridge/core";
import { describe, expectTypeOf, it } from "vitest";

describe("table payloads", () => {
  it("take rows, columns or a Table, and come back as a Table", async () => {
    void smartsend("a", [
      ["rows", [{ id: 1, name: "a" }], "table"],
      ["columns", { id: new Int32Array([1, 2]) }, "arrowtable"],
      ["table", tableFromRows([{ id: 1 }]), "arrowtable"],
    ]);
    // @ts-expect-error a table is not a string
    void smartsend("a", [["t", "id,name", "table"]]);
    const env = await smartreceive(new Uint8Array());
    for (const [, value, type] of env.payloads) {
      if (type === "table" || type === "arrowtable") expectTypeOf(value).toEqualTypeOf<arrow.Table>();
    }
  });
});
