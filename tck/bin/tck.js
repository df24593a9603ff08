#!/usr/bin/env node
// The `tck` command. In a checkout (the TypeScript source beside this file) the kit is loaded
// through tsx in this same process, so cucumber imports the .ts step definitions through the same
// loader. In an installed package there is no source and no tsx: the built JavaScript in dist/ runs.
import { existsSync } from "node:fs";

const source = new URL("../run-main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../../dist/tck/run-main.js", import.meta.url).href);
}
