// A throwaway CA and one serving certificate for the stand-in HTTPS servers, made with the openssl CLI.
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** PEM material for the stand-in servers. */
export interface ServingCertificate {
  /** The CA that signed `cert`: goes into APIService caBundle and CDI's upload proxy signer bundle. */
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * Creates a CA and a serving certificate valid for `dnsNames` and 127.0.0.1.
 * The aggregator verifies an APIService backend as `<service>.<namespace>.svc`, so those names are listed here.
 */
export async function createServingCertificate(dir: string, dnsNames: string[]): Promise<ServingCertificate> {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req", "-x509", ...ecKey, "-days", "30",
    "-subj", "/CN=minicloud stand-in CA",
    "-keyout", file("ca.key"), "-out", file("ca.crt"),
  ]);
  await run("openssl", [
    "req", "-new", ...ecKey,
    "-subj", "/CN=minicloud-standins",
    "-keyout", file("serving.key"), "-out", file("serving.csr"),
  ]);
  const san = [...dnsNames.map((n) => `DNS:${n}`), "IP:127.0.0.1"].join(",");
  await writeFile(
    file("serving.ext"),
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n`,
  );
  await run("openssl", [
    "x509", "-req", "-days", "30", "-in", file("serving.csr"),
    "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial",
    "-extfile", file("serving.ext"), "-out", file("serving.crt"),
  ]);
  const [caPem, certPem, keyPem] = await Promise.all(
    ["ca.crt", "serving.crt", "serving.key"].map((name) => readFile(file(name), "utf8")),
  );
  return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
}
