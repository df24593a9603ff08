import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../../reference/protocol/index.js";

/** The kit's version: the `name` and `version` of the package.json the kit was installed with. */
export function kitVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(import.meta.url), "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  return `${manifest.name} ${manifest.version}`;
}
