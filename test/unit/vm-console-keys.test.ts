// The VNC console's keys: pasted text as keystrokes with Shift explicit for capitals and symbols,
// typed combinations for the send-keys menu, the order keys are pressed and released; the panel's
// close reasons as the VNC page reads them; a VM's ssh login user from its image; a VMI's stream paths.
import { describe, expect, it } from "vitest";
import { functionKey, KEYS, MENU_COMBINATIONS, parseCombination, pressKeystroke, textKeystrokes } from "@/components/console/keystrokes";
import { parseCloseReason } from "@/components/console/vnc-connection";
import { vmiStreamPath, vmiSubresourcePath } from "@/lib/console/bridges/vm/vmi-stream";
import { vmLoginUser } from "@/lib/vms/login-user";

describe("paste as keystrokes", () => {
  it("types lowercase plainly and sends Shift around capitals and shifted symbols", () => {
    const strokes = textKeystrokes("aB!\n");
    expect(strokes).toEqual([
      { modifiers: [], key: { keysym: 0x61, code: "KeyA" } },
      { modifiers: [KEYS.shift], key: { keysym: 0x42, code: "KeyB" } },
      { modifiers: [KEYS.shift], key: { keysym: 0x21, code: "Digit1" } },
      { modifiers: [], key: KEYS.enter },
    ]);
  });

  it("types `echo hi` as eight keys with a space and no Shift", () => {
    const strokes = textKeystrokes("echo hi");
    expect(strokes).toHaveLength(7);
    expect(strokes.every((s) => s.modifiers.length === 0)).toBe(true);
    expect(strokes[4]!.key).toEqual(KEYS.space);
  });

  it("turns CRLF into one Enter, keeps tabs, drops other control characters, and sends Unicode keysyms without a key code", () => {
    expect(textKeystrokes("a\r\nb\tc\x07").map((s) => s.key.keysym)).toEqual([0x61, KEYS.enter.keysym, 0x62, KEYS.tab.keysym, 0x63]);
    expect(textKeystrokes("é€")).toEqual([
      { modifiers: [], key: { keysym: 0xe9, code: null } },
      { modifiers: [], key: { keysym: 0x010020ac, code: null } },
    ]);
  });

  it("knows every shifted symbol of a US keyboard", () => {
    for (const symbol of '~!@#$%^&*()_+{}|:"<>?') expect(textKeystrokes(symbol)[0]!.modifiers).toEqual([KEYS.shift]);
    for (const plain of "`1234567890-=[]\\;',./") expect(textKeystrokes(plain)[0]!.modifiers).toEqual([]);
  });
});

describe("typed combinations", () => {
  it("reads modifiers and a key, case-insensitive, with + or -", () => {
    expect(parseCombination("Ctrl+Alt+F2")).toEqual({ modifiers: [KEYS.ctrl, KEYS.alt], key: functionKey(2) });
    expect(parseCombination("ctrl-w")).toEqual({ modifiers: [KEYS.ctrl], key: { keysym: 0x77, code: "KeyW" } });
    expect(parseCombination("super")).toEqual({ modifiers: [], key: KEYS.super });
    expect(parseCombination("ctrl + alt + del")).toEqual({ modifiers: [KEYS.ctrl, KEYS.alt], key: KEYS.delete });
  });

  it("refuses what is not a combination", () => {
    for (const bad of ["", "ctrl+", "ctrl+ctrl+a", "hyper+a", "ctrl+f13", "ctrl+alt+shift+super+ctrl+a", "abc"]) expect(parseCombination(bad)).toBeNull();
  });

  it("offers Ctrl+Alt+F1…F7, Alt+Tab, Esc and the shortcuts a browser keeps (Ctrl+W)", () => {
    const labels = MENU_COMBINATIONS.map((c) => c.label);
    expect(labels).toEqual(expect.arrayContaining(["Ctrl+Alt+F1", "Ctrl+Alt+F7", "Alt+Tab", "Esc", "Ctrl+W"]));
  });

  it("presses modifiers in order, the key, then releases in reverse", () => {
    const events: string[] = [];
    pressKeystroke((keysym, _code, down) => events.push(`${down ? "+" : "-"}${keysym.toString(16)}`), parseCombination("ctrl+alt+f1")!);
    expect(events).toEqual(["+ffe3", "+ffe9", "+ffbe", "-ffbe", "-ffe9", "-ffe3"]);
  });
});

describe("the VNC console's close reasons", () => {
  it("reads who holds a busy console, a take-over and other ends", () => {
    expect(parseCloseReason(4409, 'busy: {"user":"ann@example.test","since":"2026-01-01T00:00:00.000Z","you":false}')).toEqual({
      kind: "busy",
      holder: { user: "ann@example.test", since: "2026-01-01T00:00:00.000Z", you: false },
    });
    expect(parseCloseReason(1000, "taken-over: bob@example.test took over this console.")).toEqual({ kind: "end", reason: "taken-over", message: "bob@example.test took over this console." });
    expect(parseCloseReason(1006, "")).toBeNull();
  });
});

describe("a VM's ssh login user", () => {
  it("is the image's default user, the stored one when set, else root", () => {
    expect(vmLoginUser({ image: "quay.io/containerdisks/fedora:41" })).toBe("fedora");
    expect(vmLoginUser({ image: "quay.io/containerdisks/ubuntu:24.04" })).toBe("ubuntu");
    expect(vmLoginUser({ image: "quay.io/kubevirt/cirros-container-disk-demo:latest" })).toBe("cirros");
    expect(vmLoginUser({ image: "minicloud.dev/guests/tiny:latest" })).toBe("root");
    expect(vmLoginUser({ image: "registry.example:5000/team/custom@sha256:abc" })).toBe("root");
    expect(vmLoginUser({ image: "quay.io/containerdisks/fedora:41", loginUser: "admin" })).toBe("admin");
  });
});

describe("a VMI's stream paths", () => {
  it("are KubeVirt's: console, vnc (preserveSession on request) and portforward/<port>/<protocol>", () => {
    const base = "/apis/subresources.kubevirt.io/v1/namespaces/mc-o-t/virtualmachineinstances/box";
    expect(vmiStreamPath("mc-o-t", "box", { kind: "console" })).toBe(`${base}/console`);
    expect(vmiStreamPath("mc-o-t", "box", { kind: "vnc", preserveSession: false })).toBe(`${base}/vnc`);
    expect(vmiStreamPath("mc-o-t", "box", { kind: "vnc", preserveSession: true })).toBe(`${base}/vnc?preserveSession=true`);
    expect(vmiStreamPath("mc-o-t", "box", { kind: "portforward", port: 22 })).toBe(`${base}/portforward/22/tcp`);
    expect(vmiSubresourcePath("mc-o-t", "box", "vnc/screenshot")).toBe(`${base}/vnc/screenshot`);
  });
});
