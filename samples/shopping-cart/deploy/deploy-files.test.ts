// The deploy files cannot be built or applied here (no Docker engine, no cluster); these checks
// keep them from drifting away from the code: entry points exist, and every environment
// variable they set is one that the backend, the Cassandra settings or the sample reads.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { packageRoot, protoDir } from "../../../reference/protocol/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** Sources that read configuration from the environment, by container. */
const readers = {
  backend: ["reference/backend/config/parse-backend-config.ts", "reference/backend/config/parse-cassandra-settings.ts"],
  "user-function": ["reference/support/listen-options.ts"],
} as const;

function readBy(container: keyof typeof readers, name: string): boolean {
  return readers[container].some((path) => read(path).includes(`"${name}"`));
}

describe("deploy files", () => {
  for (const [dockerfile, container] of [
    ["backend.Dockerfile", "backend"],
    ["shopping-cart.Dockerfile", "user-function"],
  ] as const) {
    const text = read(`samples/shopping-cart/deploy/${dockerfile}`);

    it(`${dockerfile}: the entry point is compiled from a source file that exists`, () => {
      const entry = /ENTRYPOINT \["node", "dist\/([^"]+)\.js"\]/.exec(text)?.[1];
      assert.ok(entry, "ENTRYPOINT runs node dist/….js");
      assert.ok(existsSync(join(root, `${entry}.ts`)), `${entry}.ts exists`);
      for (const path of text.matchAll(/^COPY (?!--from)(\S+) /gm)) {
        const source = path[1] ?? "";
        assert.ok(existsSync(join(root, source)), `COPY source ${source} exists`);
      }
    });

    it(`${dockerfile}: every ENV it sets is read by the ${container}`, () => {
      const names = [...text.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=\S+/gm)].map((m) => m[1] ?? "");
      assert.ok(names.length > 0);
      for (const name of names.filter((n) => n !== "NODE_ENV")) assert.ok(readBy(container, name), `${name} is read`);
    });
  }

  it("backend and cart images put proto/ where the code looks for it: beside package.json", () => {
    const protoHome = relative(packageRoot(import.meta.url), protoDir);
    for (const dockerfile of ["backend.Dockerfile", "shopping-cart.Dockerfile"]) {
      const text = read(`samples/shopping-cart/deploy/${dockerfile}`);
      assert.match(text, /^WORKDIR \/app$/m);
      assert.ok(text.includes("COPY package.json package-lock.json ./"), `${dockerfile} copies package.json to /app`);
      assert.ok(text.includes(`COPY proto ./${protoHome}\n`), `${dockerfile} copies proto/ to ./${protoHome}`);
    }
  });

  it("tck.Dockerfile: copies files that exist, packs everything the package lists, runs a bin of the package", () => {
    const text = read("samples/shopping-cart/deploy/tck.Dockerfile");
    const copied = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? "").split(" "));
    for (const source of copied) assert.ok(existsSync(join(root, source)), `COPY source ${source} exists`);
    const manifest = JSON.parse(read("package.json")) as { files: string[]; bin: Record<string, string> };
    const packed = manifest.files.map((file) => file.replace(/^dist\/(\w+).*$/, "$1").split("/")[0]!);
    for (const top of new Set(packed)) assert.ok(copied.includes(top), `the image's pack stage copies ${top} (package.json "files")`);
    const entry = /ENTRYPOINT \["([^"]+)"\]/.exec(text)?.[1];
    assert.ok(entry && entry in manifest.bin, `ENTRYPOINT ${entry} is a bin of the package`);
  });

  it("shopping-cart.yaml: every container's env var is read by that container", () => {
    const manifest = read("samples/shopping-cart/deploy/shopping-cart.yaml");
    const [, backendPart = "", userFunctionPart = ""] = manifest.split(/^\s+- name: (?:backend|user-function)\n/m);
    const envNames = (part: string) => [...part.matchAll(/^\s+- name: ([A-Z_]+)$/gm)].map((m) => m[1] ?? "");
    const backendEnv = envNames(backendPart);
    assert.ok(backendEnv.includes("CASSANDRA_CONTACT_POINTS") && backendEnv.includes("JOURNAL"));
    for (const name of backendEnv) assert.ok(readBy("backend", name), `backend reads ${name}`);
    const userFunctionEnv = envNames(userFunctionPart);
    assert.deepEqual(userFunctionEnv, ["HOST", "PORT"]);
    for (const name of userFunctionEnv) assert.ok(readBy("user-function", name), `user function reads ${name}`);
  });

  it("shopping-cart.yaml: 3 replicas, gRPC readiness on the backend port", () => {
    const manifest = read("samples/shopping-cart/deploy/shopping-cart.yaml");
    assert.match(manifest, /^\s+replicas: 3$/m);
    assert.match(manifest, /readinessProbe:\n\s+grpc:\n\s+port: 9000/);
  });
});
