import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM certificate and its private key, plus where they were written (for settings that take files). */
export interface CertificateFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TestPki {
  readonly dir: string;
  /** A CA that signed every certificate below. */
  readonly ca: CertificateFiles;
  /** Issues a certificate for `localhost` and 127.0.0.1 (server and client use), signed by the CA. */
  issue(name: string): CertificateFiles;
  /** The same, signed by a second, unrelated CA: a peer nobody here should trust. */
  issueUntrusted(name: string): CertificateFiles;
  remove(): void;
}

/**
 * Test certificates made at test time: the keys with node:crypto (P-256), the X.509 certificates
 * with the machine's `openssl` (child process), valid for one day. Throws if openssl is missing.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "test-pki-"));
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const newKey = (name: string): string => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const path = join(dir, `${name}.key`);
    writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }));
    return path;
  };
  const files = (certPath: string, keyPath: string): CertificateFiles => ({
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    certPath,
    keyPath,
  });
  const makeCa = (name: string): CertificateFiles => {
    const keyPath = newKey(name);
    const certPath = join(dir, `${name}.pem`);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      keyPath,
      "-subj",
      `/CN=${name}`,
      "-days",
      "1",
      "-out",
      certPath,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    return files(certPath, keyPath);
  };
  const ca = makeCa("test-ca");
  const otherCa = makeCa("other-ca");
  const extPath = join(dir, "leaf.ext");
  writeFileSync(
    extPath,
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
  );
  const sign = (name: string, by: CertificateFiles): CertificateFiles => {
    const keyPath = newKey(name);
    const csrPath = join(dir, `${name}.csr`);
    const certPath = join(dir, `${name}.pem`);
    openssl(["req", "-new", "-key", keyPath, "-subj", `/CN=${name}`, "-out", csrPath]);
    openssl([
      "x509",
      "-req",
      "-in",
      csrPath,
      "-CA",
      by.certPath,
      "-CAkey",
      by.keyPath,
      "-set_serial",
      `0x${randomBytes(8).toString("hex")}`,
      "-days",
      "1",
      "-extfile",
      extPath,
      "-out",
      certPath,
    ]);
    return files(certPath, keyPath);
  };
  return {
    dir,
    ca,
    issue: (name) => sign(name, ca),
    issueUntrusted: (name) => sign(name, otherCa),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
