/** An element of a parsed XML document (enough to check a JUnit report's shape). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = "XmlSyntaxError";
}

const namePattern = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const entityPattern = /&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const entities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * A strict, small XML 1.0 well-formedness parser: one root element, balanced
 * tags, quoted unique attributes, only the predefined or numeric entities,
 * comments, CDATA and processing instructions. No DTDs (a report has none).
 */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (why: string): never => {
    const line = source.slice(0, pos).split("\n").length;
    throw new XmlSyntaxError(`${why} at line ${line} (offset ${pos})`);
  };
  const decodeText = (raw: string, start: number): string => {
    let out = "";
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === "<") ((pos = start + i), fail("'<' in text or attribute value"));
      if (c !== "&") {
        out += c;
        continue;
      }
      entityPattern.lastIndex = i;
      const m = entityPattern.exec(raw);
      if (!m) ((pos = start + i), fail("an undefined or unterminated entity reference"));
      const body = m![0].slice(1, -1);
      out += body.startsWith("#x")
        ? String.fromCodePoint(parseInt(body.slice(2), 16))
        : body.startsWith("#")
          ? String.fromCodePoint(Number(body.slice(1)))
          : entities[body];
      i += m![0].length - 1;
    }
    return out;
  };
  const skipMisc = (allowText: boolean): string => {
    let text = "";
    for (;;) {
      if (source.startsWith("<!--", pos)) {
        const end = source.indexOf("-->", pos + 4);
        if (end < 0) fail("an unterminated comment");
        if (source.slice(pos + 4, end).includes("--")) fail("'--' inside a comment");
        pos = end + 3;
      } else if (source.startsWith("<?", pos)) {
        const end = source.indexOf("?>", pos + 2);
        if (end < 0) fail("an unterminated processing instruction");
        pos = end + 2;
      } else if (source.startsWith("<![CDATA[", pos)) {
        if (!allowText) fail("CDATA outside the root element");
        const end = source.indexOf("]]>", pos + 9);
        if (end < 0) fail("an unterminated CDATA section");
        text += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (source.startsWith("<!", pos)) {
        fail("a DOCTYPE or declaration (not expected in a report)");
      } else if (pos < source.length && source[pos] !== "<") {
        const end = source.indexOf("<", pos) < 0 ? source.length : source.indexOf("<", pos);
        const raw = source.slice(pos, end);
        if (!allowText && raw.trim() !== "") fail("text outside the root element");
        if (raw.includes("]]>")) fail("']]>' in text");
        text += decodeText(raw, pos);
        pos = end;
      } else {
        return text;
      }
    }
  };
  const element = (): XmlElement => {
    if (source[pos] !== "<") fail("an element");
    pos++;
    const name = namePattern.exec(source.slice(pos))?.[0] ?? fail("an element name");
    pos += name.length;
    const attributes: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(source.slice(pos))![0].length;
      pos += ws;
      if (source.startsWith("/>", pos)) {
        pos += 2;
        return { name, attributes, children: [], text: "" };
      }
      if (source[pos] === ">") {
        pos++;
        break;
      }
      if (ws === 0) fail("whitespace before an attribute");
      const attribute = namePattern.exec(source.slice(pos))?.[0] ?? fail("an attribute name");
      pos += attribute.length;
      const eq = /^\s*=\s*/.exec(source.slice(pos)) ?? fail(`'=' after attribute ${attribute}`);
      pos += eq[0].length;
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`a quoted value for attribute ${attribute}`);
      const end = source.indexOf(quote!, pos + 1);
      if (end < 0) fail(`an unterminated value for attribute ${attribute}`);
      if (attribute in attributes) fail(`a duplicate attribute ${attribute}`);
      attributes[attribute] = decodeText(source.slice(pos + 1, end), pos + 1);
      pos = end + 1;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      text += skipMisc(true);
      if (pos >= source.length) fail(`the end tag of <${name}>`);
      if (source.startsWith("</", pos)) {
        pos += 2;
        const closing = namePattern.exec(source.slice(pos))?.[0];
        if (closing !== name) fail(`</${name}> (found </${closing ?? ""}>)`);
        pos += name.length;
        const rest = /^\s*>/.exec(source.slice(pos)) ?? fail(`'>' closing </${name}>`);
        pos += rest[0].length;
        return { name, attributes, children, text };
      }
      children.push(element());
    }
  };
  skipMisc(false);
  if (pos >= source.length) fail("a root element");
  const root = element();
  skipMisc(false);
  if (pos < source.length) fail("nothing after the root element");
  return root;
}
