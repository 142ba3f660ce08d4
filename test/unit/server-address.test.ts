// Where a registered cluster's API server may be: never the panel itself or a link-local /
// metadata address; loopback only when the setting allows it; plain http only when TLS is off
// by the admin's choice. The same holds at every connection afterwards, whatever the name
// resolves to then.
import type { LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import { ADDRESS_REFUSED, classifyAddress, guardedLookup, vetServerAddress, type AddressPolicy, type ResolveAll } from "@/lib/clusters/server-address";
import { ValidationError } from "@/lib/errors";

const policy = (allowLoopback: boolean, host = "127.0.0.1"): AddressPolicy => ({ allowLoopback, panel: { host, port: 3000, publicUrl: "https://panel.example.com" } });

async function refusal(server: string, p: AddressPolicy, insecure = false): Promise<string> {
  const error = await vetServerAddress(server, insecure, p).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, server).toBeInstanceOf(ValidationError);
  return (error as Error).message;
}

describe("server addresses", () => {
  it("classes addresses, IPv4-mapped forms included", () => {
    expect(classifyAddress("169.254.169.254")).toBe("never");
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("never");
    expect(classifyAddress("::ffff:a9fe:a9fe")).toBe("never");
    expect(classifyAddress("fe80::1")).toBe("never");
    expect(classifyAddress("fd00:ec2::254")).toBe("never");
    expect(classifyAddress("100.100.100.200")).toBe("never");
    expect(classifyAddress("224.0.0.1")).toBe("never");
    expect(classifyAddress("127.0.0.1")).toBe("loopback");
    expect(classifyAddress("127.9.9.9")).toBe("loopback");
    expect(classifyAddress("0.0.0.0")).toBe("loopback");
    expect(classifyAddress("::1")).toBe("loopback");
    expect(classifyAddress("::ffff:127.0.0.1")).toBe("loopback");
    expect(classifyAddress("10.0.0.1")).toBe("other");
    expect(classifyAddress("2001:db8::1")).toBe("other");
  });

  it("refuses the panel's own address and metadata addresses whatever the setting", async () => {
    for (const allow of [true, false]) {
      expect(await refusal("https://127.0.0.1:3000", policy(allow))).toMatch(/the panel's own address/);
      expect(await refusal("https://localhost:3000", policy(allow))).toMatch(/the panel's own address/);
      expect(await refusal("https://panel.example.com", policy(allow))).toMatch(/the panel's own address/);
      expect(await refusal("https://169.254.169.254", policy(allow))).toMatch(/link-local or metadata address/);
      expect(await refusal("https://[::ffff:169.254.169.254]:443", policy(allow))).toMatch(/link-local or metadata address/);
    }
    // Listening on every address: any of this machine's addresses on the panel's port is the panel.
    expect(await refusal("https://0.0.0.0:3000", policy(true, "0.0.0.0"))).toMatch(/the panel's own address/);
  });

  it("loopback only when the setting allows it", async () => {
    expect(await refusal("https://127.0.0.1:6443", policy(false))).toMatch(/loopback address .* MINICLOUD_ALLOW_LOOPBACK_CLUSTERS/);
    expect(await refusal("https://localhost:6443", policy(false))).toMatch(/loopback address/);
    expect(await refusal("https://0.0.0.0:6443", policy(false))).toMatch(/loopback address/);
    expect((await vetServerAddress("https://127.0.0.1:6443", false, policy(true))).port).toBe("6443");
  });

  it("plain http only with TLS off by choice; no credentials, query or other schemes in the URL", async () => {
    expect(await refusal("http://10.0.0.1:8080", policy(false))).toMatch(/plain http:\/\/ address/);
    expect((await vetServerAddress("http://10.0.0.1:8080", true, policy(false))).hostname).toBe("10.0.0.1");
    expect(await refusal("https://user:pw@10.0.0.1", policy(false))).toMatch(/user name or password/);
    expect(await refusal("https://10.0.0.1/?x=1", policy(false))).toMatch(/query/);
    expect(await refusal("file:///etc/passwd", policy(false))).toMatch(/https:\/\//);
    expect(await refusal("not a url", policy(false))).toMatch(/not a URL/);
    // A path is fine (API servers behind a proxy path).
    expect((await vetServerAddress("https://10.0.0.1/k8s/clusters/c-1", false, policy(false))).pathname).toBe("/k8s/clusters/c-1");
  });
});

describe("the lookup of every connection to a registered cluster", () => {
  /** A resolver that answers `addresses` for every name. */
  const answering =
    (...addresses: string[]): ResolveAll =>
    (_hostname, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );
  /** What the lookup answers: the addresses, or the error's code and message. */
  const lookUp = (lookup: LookupFunction, options: LookupOptions) =>
    new Promise<{ addresses?: unknown; family?: number; code?: string; message?: string }>((resolve) =>
      lookup("api.cluster.example", options, (error, addresses, family) => resolve(error ? { code: error.code, message: error.message } : { addresses, family })),
    );

  it("passes fair addresses on, in the form asked for", async () => {
    const lookup = guardedLookup(6443, policy(false), answering("203.0.113.7", "2001:db8::7"));
    expect(await lookUp(lookup, { all: true })).toEqual({ addresses: [{ address: "203.0.113.7", family: 4 }, { address: "2001:db8::7", family: 6 }], family: undefined });
    expect(await lookUp(lookup, {})).toEqual({ addresses: "203.0.113.7", family: 4 });
    expect(await lookUp(lookup, { family: 6 })).toEqual({ addresses: "2001:db8::7", family: 6 });
  });

  it("ends the connection when the name now resolves where the panel never connects (any one address is enough)", async () => {
    const metadata = await lookUp(guardedLookup(6443, policy(true), answering("203.0.113.7", "169.254.169.254")), { all: true });
    expect(metadata).toEqual({ code: ADDRESS_REFUSED, message: expect.stringMatching(/^api\.cluster\.example resolved to 169\.254\.169\.254\. .*link-local or metadata address/) });
    expect(await lookUp(guardedLookup(6443, policy(false), answering("127.0.0.1")), {})).toMatchObject({ code: ADDRESS_REFUSED, message: expect.stringMatching(/loopback/) });
    expect(await lookUp(guardedLookup(6443, policy(true), answering("127.0.0.1")), {})).toEqual({ addresses: "127.0.0.1", family: 4 });
    // The panel's own port on this machine, even where loopback clusters are allowed.
    expect(await lookUp(guardedLookup(3000, policy(true), answering("::1")), {})).toMatchObject({ code: ADDRESS_REFUSED, message: expect.stringMatching(/the panel's own address/) });
  });

  it("passes a failed resolution on as it is", async () => {
    const failing: ResolveAll = (_hostname, callback) => callback(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), []);
    expect(await lookUp(guardedLookup(6443, policy(true), failing), {})).toMatchObject({ code: "ENOTFOUND" });
  });
});
