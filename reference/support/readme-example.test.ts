import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { createEntityClient, type EntityClient, loadProtos, readyOf, type StreamIn, type StreamOut, typeUrlOf } from "../protocol/index.js";

/**
 * The README's plain-JavaScript example, run for real: the library is
 * compiled to JavaScript (per file, as `tsc` emits it under isolatedModules; `.ts` files here are ES modules),
 * the example runs under plain `node` without tsx, and a gRPC client checks
 * that it speaks the protocol.
 */
const repo = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");

function readmeExample(): string {
  const readme = readFileSync(join(repo, "reference/support/README.md"), "utf8");
  const block = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```js block");
  return block;
}

/** Emits reference/protocol and reference/support as JavaScript into `<dir>/dist`, as the build lays them out. */
function compileLibrary(dir: string): void {
  for (const folder of ["reference/protocol", "reference/support"]) {
    mkdirSync(join(dir, "dist", folder), { recursive: true });
    for (const file of readdirSync(join(repo, folder))) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const source = readFileSync(join(repo, folder, file), "utf8");
      const output = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
        fileName: file,
      });
      writeFileSync(join(dir, "dist", folder, file.replace(/\.ts$/, ".js")), output.outputText);
    }
  }
  // Laid out like the repository after `npm run build`: dist/ beside proto/.
  symlinkSync(join(repo, "proto"), join(dir, "proto"));
  symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
}

function waitForAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolveAddress, reject) => {
    let output = "";
    const timeout = setTimeout(() => reject(new Error(`example did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timeout);
        resolveAddress(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`example exited with ${code}:\n${output}`));
    });
  });
}

describe("README plain-JavaScript example", () => {
  let dir: string;
  let child: ChildProcess;
  let client: EntityClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "support-readme-"));
    compileLibrary(dir);
    writeFileSync(join(dir, "cart.mjs"), readmeExample());
    child = spawn(process.execPath, ["cart.mjs"], { cwd: dir, env: { ...process.env, PORT: "0", DEBUG: "" } });
    const address = await waitForAddress(child);
    client = createEntityClient(address);
  });

  after(async () => {
    client?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
      child.kill("SIGINT");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timeout);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers ready() with the cart's spec", async () => {
    const spec = await readyOf(client, 5000);
    assert.equal(spec.serviceName, "com.example.shoppingcart.ShoppingCart");
    assert.equal(spec.persistenceId, "shopping-cart");
  });

  it("runs the cart's commands over a handle stream", async () => {
    const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
    const payload = (name: string, value: object) => {
      const type = root.lookupType(`com.example.shoppingcart.${name}`);
      return { typeUrl: typeUrlOf(`com.example.shoppingcart.${name}`), value: type.encode(type.fromObject(value)).finish() };
    };
    const received = await new Promise<StreamOut[]>((resolveAll, reject) => {
      const out: StreamOut[] = [];
      const call = client.handle({ deadline: Date.now() + 5000 });
      call.on("data", (m: StreamOut) => out.push(m));
      call.on("error", reject);
      call.on("end", () => resolveAll(out));
      const command = (id: number, name: string, type: string, value: object): StreamIn => ({
        case: "command",
        entityId: "ann",
        id,
        name,
        payload: payload(type, { user_id: "ann", ...value }),
      });
      call.write({ case: "init", entityId: "ann", snapshot: undefined });
      call.write(command(1, "AddItem", "AddLineItem", { product_id: "123", name: "Eggs", quantity: 2 }));
      call.write(command(2, "AddItem", "AddLineItem", { product_id: "123", name: "Eggs", quantity: 3 }));
      call.write(command(3, "RemoveItem", "RemoveLineItem", { product_id: "999" }));
      call.write(command(4, "GetCart", "GetShoppingCart", {}));
      call.end();
    });
    assert.deepEqual(
      received.map((m) => [m.case, m.case === "failure" ? m.description : m.case === "reply" ? m.events.length : 0]),
      [
        ["reply", 1],
        ["reply", 1],
        ["failure", "Item 999 not in cart"],
        ["reply", 0],
      ],
    );
    const last = received[3];
    assert.ok(last?.case === "reply" && last.payload);
    const cart = root.lookupType("com.example.shoppingcart.Cart");
    assert.deepEqual(cart.toObject(cart.decode(last.payload.value)), { items: [{ product_id: "123", name: "Eggs", quantity: 5 }] });
  });
});
