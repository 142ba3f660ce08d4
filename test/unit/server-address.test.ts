// Where a registered cluster's API server may be: never the panel itself or a link-local /
// metadata address; loopback only when the setting allows it; plain http only when TLS is off
// by the admin's choice.
import { describe, expect, it } from "vitest";
import { classifyAddress, vetServerAddress, type AddressPolicy } from "@/lib/clusters/server-address";
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
