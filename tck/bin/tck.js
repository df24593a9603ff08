#!/usr/bin/env node
// The `tck` command: the kit is TypeScript, loaded through tsx in this same process
// (cucumber then imports the .ts step definitions through the same loader).
import { register } from "tsx/esm/api";

register();
await import("../cli/run-main.ts");
