import * as envelope from "@natsbridge/envelope";
import { ErrorCodes, isNatsBridgeError, NatsBridgeError } from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";

const classes = Object.entries(envelope).filter(
  ([name, value]) => typeof value === "function" && /^[A-Z]/.test(name) && name.endsWith("Error") && value !== NatsBridgeError,
) as [string, new (m: string, o?: object) => NatsBridgeError][];

describe("error classes", () => {
  it("there is one class per code", () => {
    const codes = classes.map(([, C]) => new C("m").code).sort();
    expect(codes).toEqual(Object.values(ErrorCodes).sort());
  });

  it.each(classes)("%s has its name, a stable code, cause and context", (name, C) => {
    const cause = new Error("root");
    const e = new C("msg", { cause, correlationId: "c", dataname: "d", details: { k: 1 } });
    expect(e).toBeInstanceOf(NatsBridgeError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(C.name).toBe(name);
    expect(e.cause).toBe(cause);
    expect(isNatsBridgeError(e)).toBe(true);
    expect(e.toJSON()).toMatchObject({ name, code: e.code, correlationId: "c", dataname: "d", details: { k: 1 } });
    const moved = new C("x").withContext({ correlationId: "c2", dataname: "d2" });
    expect(moved).toBeInstanceOf(C);
    expect(moved).toMatchObject({ correlationId: "c2", dataname: "d2", message: "x" });
  });

  it("isNatsBridgeError rejects plain errors", () => {
    expect(isNatsBridgeError(new Error("x"))).toBe(false);
    expect(isNatsBridgeError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isNatsBridgeError("INVALID_DATA")).toBe(false);
  });
});
