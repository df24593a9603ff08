import { main } from "./main.js";

// The composition root of the `tck` command: run, then exit with the verdict.
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Anything a broken user function left half-open must not keep the kit alive.
setTimeout(() => process.exit(code), 2_000).unref();
