#!/usr/bin/env node
// The reference backend's command (`stateful-serverless-backend`, the same as `npm run backend`).
// In a checkout the TypeScript source runs through tsx in this process; in an installed package
// (no source, no tsx) the built JavaScript in dist/ runs.
import { existsSync } from "node:fs";

const source = new URL("../main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../../../dist/reference/backend/main.js", import.meta.url).href);
}
