import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseXml, XmlSyntaxError } from "./xml-document.js";

describe("parseXml (the self-tests' well-formedness check)", () => {
  it("parses elements, attributes, entities, CDATA and comments", () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- report -->\n<a x="1 &amp; 2" y='&#x41;'><b/><c>t &lt; u<![CDATA[<raw>]]></c></a>\n`);
    assert.equal(root.name, "a");
    assert.deepEqual(root.attributes, { x: "1 & 2", y: "A" });
    assert.deepEqual(
      root.children.map((c) => c.name),
      ["b", "c"],
    );
    assert.equal(root.children[1]?.text, "t < u<raw>");
  });

  const malformed: Record<string, string> = {
    "unbalanced tags": "<a><b></a>",
    "unclosed root": "<a>",
    "two roots": "<a/><b/>",
    "unquoted attribute": "<a x=1/>",
    "duplicate attribute": `<a x="1" x="2"/>`,
    "undefined entity": "<a>&nbsp;</a>",
    "bare ampersand": "<a>fish & chips</a>",
    "'<' in an attribute": `<a x="<"/>`,
    "text after the root": "<a/>junk",
    "unterminated CDATA": "<a><![CDATA[x</a>",
  };
  for (const [why, text] of Object.entries(malformed)) {
    it(`refuses ${why}`, () => assert.throws(() => parseXml(text), XmlSyntaxError));
  }
});
