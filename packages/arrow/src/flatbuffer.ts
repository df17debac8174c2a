// Just enough FlatBuffers reading to look at the first Arrow IPC message by
// hand (is it a schema, its endianness, its metadata version). Every read is
// bounds-checked; a read outside the bytes calls `fail`.

export class FlatView {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  readonly #fail: (why: string) => never;

  constructor(bytes: Uint8Array, fail: (why: string) => never) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#fail = fail;
  }

  #check(at: number, size: number): number {
    if (!Number.isInteger(at) || at < 0 || at + size > this.bytes.byteLength) this.#fail("truncated or corrupt metadata");
    return at;
  }

  u8(at: number): number {
    return this.bytes[this.#check(at, 1)]!;
  }
  u16(at: number): number {
    return this.#view.getUint16(this.#check(at, 2), true);
  }
  i32(at: number): number {
    return this.#view.getInt32(this.#check(at, 4), true);
  }
  u32(at: number): number {
    return this.#view.getUint32(this.#check(at, 4), true);
  }

  /** The table a root offset at `at` points to. */
  root(at: number): number {
    return at + this.u32(at);
  }

  /** Where field `index` of the table at `table` lives, or 0 when the field is absent. */
  field(table: number, index: number): number {
    const vtable = table - this.i32(table);
    const slot = 4 + 2 * index;
    const offset = slot < this.u16(vtable) ? this.u16(vtable + slot) : 0;
    return offset ? table + offset : 0;
  }

  /** The table an offset field points to, or 0 when the field is absent. */
  tableField(table: number, index: number): number {
    const at = this.field(table, index);
    return at ? at + this.u32(at) : 0;
  }
}
