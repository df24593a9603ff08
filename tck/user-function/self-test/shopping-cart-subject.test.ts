import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DescriptorProtoSchema, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { fileDescriptorOf } from "../../kit/doubles/raw-subjects/file-descriptor-of.js";
import { startRawShoppingCart, type RawShoppingCartOptions } from "../../kit/doubles/raw-subjects/raw-shopping-cart.js";
import { ShoppingCartSubject } from "../../kit/subjects/shopping-cart-subject.js";
import { parseKnownFailingList } from "../../kit/run/known-failing-list.js";
import { runUserFunctionMode, type UserFunctionRunOptions } from "../run/run-user-function-mode.js";
import type { RunSummary } from "../../kit/run/scenario-verdict.js";
import { parseXml } from "../../kit/self-test/xml-document.js";

const tempDir = mkdtempSync(join(tmpdir(), "tck-cart-self-test-"));
after(() => rmSync(tempDir, { recursive: true, force: true }));

// Modest by default so `npm test` stays quick on 2 cores; the CLI defaults to 100.
const runs = 30;
const timeoutMs = 3000;

class Buffered {
  text = "";
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

/** Runs the shopping-cart subject against a raw cart started with `cart`. */
async function runAgainstCart(cart: RawShoppingCartOptions, options: Partial<UserFunctionRunOptions> = {}) {
  const uf = await startRawShoppingCart(cart);
  try {
    const out = new Buffered();
    const summary = await runUserFunctionMode({
      target: uf.address,
      subject: "shopping-cart",
      timeoutMs,
      runs,
      snapshotEvery: 5,
      out,
      ...options,
    });
    return { summary, output: out.text };
  } finally {
    await uf.close();
  }
}

function failedNames(summary: RunSummary): string[] {
  return summary.verdicts.filter((v) => v.kind !== "passed").map((v) => v.name);
}

/**
 * A partial cart descriptor, as the 2019 JavaScript support library sends it: request types holding only
 * their key fields, relative type names, and GetCart declared to return an Empty of the cart's own package.
 */
function partialCartDescriptor(): Uint8Array {
  const file = fromBinary(
    FileDescriptorProtoSchema,
    fileDescriptorOf(new ShoppingCartSubject().root, "shoppingcart/shoppingcart.proto", [
      "google/protobuf/empty.proto",
      "lightbend/serverless/entitykey.proto",
    ]),
  );
  for (const message of file.messageType)
    if (message.name.endsWith("LineItem") || message.name === "GetShoppingCart")
      message.field = message.field.filter((f) => f.options !== undefined);
  file.messageType.push(create(DescriptorProtoSchema, { name: "Empty" }));
  for (const method of file.service[0]!.method) {
    method.inputType = method.inputType.replace(/^\.com\.example\.shoppingcart\./, "");
    if (method.name === "GetCart") method.outputType = "com.example.shoppingcart.Empty";
  }
  return toBinary(FileDescriptorProtoSchema, file);
}

describe("the kit against raw shopping carts", { timeout: 300_000 }, () => {
  it("passes the raw cart on every scenario and property, the protocol checks included", async () => {
    const { summary, output } = await runAgainstCart({});
    assert.deepEqual(failedNames(summary), [], output);
    for (const name of ["B3 ", "B4 an Event", "B4 a Command", "B5 ", "C8 ", "D6 ", "D7 ", "M1 ", "M2 ", "C10 M3 "]) {
      assert.ok(
        summary.verdicts.some((v) => v.name.startsWith(name)),
        `${name} ran on the cart subject\n${output}`,
      );
    }
    assert.equal(summary.success, true);
  });

  it("fails D6 on the cart subject when the cart ends its stream on an unknown command name", async () => {
    const { summary, output } = await runAgainstCart({ faults: { endsStreamOnUnknownCommand: true } }, { tags: "@D6" });
    const d6 = summary.verdicts.find((v) => v.name.startsWith("D6 "));
    assert.equal(d6?.kind, "failed", output);
    assert.equal(d6?.uri, "features/protocol/commands.feature");
    assert.match(d6?.failure?.message ?? "", /expected: a Failure for command 1 \(NoSuchMethod with GetShoppingCart/);
    assert.match(d6?.failure?.message ?? "", /the stream completed without answering command 1/);
    assert.match(d6?.failure?.message ?? "", /→ Command id 1 NoSuchMethod entity "d6"/);
  });

  it("fails E8 and the properties when the cart's event and snapshot type urls lack type.googleapis.com/", async () => {
    const { summary, output } = await runAgainstCart({ faults: { typeUrlsWithoutPrefix: true } }, { tags: "@E8 or @M2" });
    const e8 = summary.verdicts.find((v) => v.name.startsWith("E8 "));
    assert.equal(e8?.kind, "failed", output);
    assert.match(
      e8?.failure?.message ?? "",
      /an event with type url "com\.example\.shoppingcart\.persistence\.ItemAdded" lacks the prefix type\.googleapis\.com\/ \(on the replies to ivy command 1, ivy command 2/,
    );
    assert.match(
      e8?.failure?.message ?? "",
      /a snapshot with type url "com\.example\.shoppingcart\.persistence\.Cart" lacks the prefix type\.googleapis\.com\/ \(on the replies to ivy command 5\)/,
    );
    assert.equal(summary.verdicts.find((v) => v.name.startsWith("M2 "))?.kind, "failed", output);
  });

  it("passes a cart without the quantity rule (as the seed's) on every scenario and property when the run excludes @rule-quantity", async () => {
    const { summary, output } = await runAgainstCart({ quantityRule: false }, { tags: "not @rule-quantity" });
    assert.deepEqual(failedNames(summary), [], output);
    assert.ok(
      summary.verdicts.some((v) => v.name.startsWith("M1 a model of the cart")),
      `M1 ran\n${output}`,
    );
    assert.ok(
      summary.verdicts.every((v) => !v.tags.includes("@rule-quantity")),
      output,
    );
    assert.equal(summary.success, true);
  });

  it("fails that cart on the quantity rule's scenarios only when the run includes them", async () => {
    const { summary, output } = await runAgainstCart({ quantityRule: false });
    const failed = summary.verdicts.filter((v) => v.kind !== "passed");
    assert.ok(failed.length >= 3, output);
    assert.deepEqual(
      failed.filter((v) => !v.tags.includes("@rule-quantity")).map((v) => v.name),
      [],
      output,
    );
    assert.ok(
      failed.some((v) => v.name.startsWith("M1 with the quantity rule")),
      output,
    );
    assert.ok(
      summary.verdicts.some((v) => v.name.startsWith("M1 a model of the cart") && v.kind === "passed"),
      output,
    );
  });

  it("writes JUnit, JSON and HTML reports that agree with the verdict under a known-failing list, each Outline example named with its values", async () => {
    const junit = join(tempDir, "cart.xml");
    const json = join(tempDir, "cart.json");
    const html = join(tempDir, "cart.html");
    const knownFailing = parseKnownFailingList(
      [
        "a quantity of 0 is a Failure with no event # the seed's cart has no quantity rule",
        "AddItem emits ItemAdded and answers with an empty reply # listed by mistake",
      ].join("\n"),
    );
    const { summary, output } = await runAgainstCart(
      { quantityRule: false },
      {
        tags: "@rule-quantity and not @M1 or @D10 and @E4",
        knownFailing,
        reports: [
          { kind: "junit", file: junit },
          { kind: "json", file: json },
          { kind: "html", file: html },
        ],
      },
    );
    assert.deepEqual(
      summary.verdicts.map((v) => [v.name, v.kind]),
      [
        ["AddItem emits ItemAdded and answers with an empty reply", "now-passing"],
        ["a quantity of 0 is a Failure with no event", "expected-failure"],
        ["a quantity of -1 is a Failure with no event", "failed"],
      ],
      output,
    );

    const suite = parseXml(readFileSync(junit, "utf8"));
    const cases = suite.children.filter((c) => c.name === "testcase");
    const names = cases.map((c) => c.attributes["name"]);
    assert.deepEqual(names, [
      "AddItem emits ItemAdded and answers with an empty reply",
      "a quantity of 0 is a Failure with no event",
      "a quantity of -1 is a Failure with no event",
    ]);
    assert.deepEqual([suite.attributes["tests"], suite.attributes["failures"], suite.attributes["skipped"]], ["3", "2", "1"]);
    const child = (name: string) =>
      cases.find((c) => c.attributes["name"] === name)?.children.find((c) => c.name === "failure" || c.name === "skipped");
    assert.equal(child("AddItem emits ItemAdded and answers with an empty reply")?.name, "failure");
    assert.match(
      child("AddItem emits ItemAdded and answers with an empty reply")?.attributes["message"] ?? "",
      /^NOW PASSES but is on the known-failing list \(line 2/,
    );
    assert.equal(child("a quantity of 0 is a Failure with no event")?.name, "skipped");
    assert.match(
      child("a quantity of 0 is a Failure with no event")?.text ?? "",
      /expected failure \(known-failing list, line 1\): the seed's cart has no quantity rule/,
    );
    assert.equal(child("a quantity of -1 is a Failure with no event")?.name, "failure");

    const elements = (
      JSON.parse(readFileSync(json, "utf8")) as Array<{
        elements: Array<{
          name: string;
          steps: Array<{ result: { status: string; error_message?: string } }>;
          after?: Array<{ result: { status: string; error_message?: string } }>;
        }>;
      }>
    ).flatMap((f) => f.elements);
    const results = (name: string) =>
      elements.filter((e) => e.name === name).flatMap((e) => [...e.steps, ...(e.after ?? [])].map((s) => s.result));
    assert.ok(results("a quantity of 0 is a Failure with no event").every((r) => r.status !== "failed"));
    assert.ok(
      results("a quantity of 0 is a Failure with no event").some(
        (r) => r.status === "skipped" && r.error_message?.startsWith("expected failure (known-failing list, line 1)"),
      ),
    );
    assert.ok(
      results("AddItem emits ItemAdded and answers with an empty reply").some(
        (r) => r.status === "failed" && r.error_message?.startsWith("NOW PASSES"),
      ),
    );
    assert.ok(results("a quantity of -1 is a Failure with no event").some((r) => r.status === "failed"));

    const page = readFileSync(html, "utf8");
    assert.match(page, /NOW PASSES but is on the known-failing list/);
    assert.match(page, /expected failure \(known-failing list, line 1\)/);
  });

  it("reports a partial descriptor's wrong output type precisely in its own scenario, and fails nothing else", async () => {
    const { summary, output } = await runAgainstCart({ faults: { describesItselfAs: { proto: partialCartDescriptor() } } }, { runs: 10 });
    assert.deepEqual(failedNames(summary), ["D11 every reply carries the output type the descriptor declares for its method"], output);
    const d11 = summary.verdicts.find((v) => v.kind === "failed");
    assert.match(
      d11?.failure?.message ?? "",
      /GetCart is declared to return com\.example\.shoppingcart\.Empty but its replies carry com\.example\.shoppingcart\.Cart/,
    );
    assert.doesNotMatch(d11?.failure?.message ?? "", /AddItem is declared/);
  });
});
