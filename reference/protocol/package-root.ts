import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the project's package.json, found from a module's URL by walking up. The same
 * module runs from source (tck/kit/run/kit-version.ts: three folders down) and from the build
 * (dist/tck/kit/run/kit-version.js: four folders down, in a checkout or in an installed package); the
 * package's data folders (features/, proto/) sit beside package.json in both.
 */
export function packageRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/**
 * The extension of modules beside `moduleUrl`: ".ts" when running from source (through tsx),
 * ".js" when running the build. Used for files handed to a loader by path (cucumber's support code).
 */
export function moduleExtension(moduleUrl: string): ".ts" | ".js" {
  return moduleUrl.endsWith(".ts") ? ".ts" : ".js";
}
