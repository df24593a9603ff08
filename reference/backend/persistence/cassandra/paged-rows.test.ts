import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Client, types } from "cassandra-driver";
import { pagedRows } from "./paged-rows.js";

/** A client whose query returns `pages` (rows are numbers), `pageState` naming the next page's index. */
function fakeClient(pages: readonly (readonly number[])[], failPage?: number) {
  const asked: (string | undefined)[] = [];
  const client = {
    execute(_query: string, _params: unknown, options: { pageState?: string }) {
      asked.push(options.pageState);
      const index = options.pageState === undefined ? 0 : Number(options.pageState);
      if (index === failPage) return Promise.reject(new Error(`page ${index} failed`));
      const rows = pages[index]!.map((n) => n as unknown as types.Row);
      return Promise.resolve({ rows, pageState: index + 1 < pages.length ? String(index + 1) : null } as unknown as types.ResultSet);
    },
  } as unknown as Client;
  return { client, asked };
}

describe("pagedRows", () => {
  it("yields every row of every page, in order", async () => {
    const { client } = fakeClient([[1, 2], [3, 4], [5]]);
    const rows: unknown[] = [];
    for await (const row of pagedRows(client, "q", [], { fetchSize: 2 })) rows.push(row);
    assert.deepEqual(rows, [1, 2, 3, 4, 5]);
  });

  it("asks for the next page while the consumer is still on this one, and for no page beyond it", async () => {
    const { client, asked } = fakeClient([[1, 2], [3, 4], [5, 6], [7]]);
    const seen: number[] = [];
    for await (const row of pagedRows(client, "q", [], { fetchSize: 2 })) {
      const n = row as unknown as number;
      // On page k (rows 2k+1, 2k+2): pages up to k + 1 asked for, where there is one.
      seen.push(asked.length);
      if (n === 1) assert.deepEqual(asked, [undefined, "1"]);
    }
    assert.deepEqual(seen, [2, 2, 3, 3, 4, 4, 4]);
  });

  it("a consumer that stops early: a page fetched ahead that fails is no unhandled rejection", async () => {
    const { client, asked } = fakeClient([[1, 2], [3]], 1);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      for await (const row of pagedRows(client, "q", [], { fetchSize: 2 })) if (row) break;
      assert.deepEqual(asked, [undefined, "1"]);
      // Unhandled rejections are reported after the microtask queue drains: give it a macrotask turn.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("a page that fails is reported to the consumer after the rows before it", async () => {
    const { client } = fakeClient([[1, 2], [3]], 1);
    const rows: unknown[] = [];
    await assert.rejects(async () => {
      for await (const row of pagedRows(client, "q", [], { fetchSize: 2 })) rows.push(row);
    }, /page 1 failed/);
    assert.deepEqual(rows, [1, 2]);
  });
});
