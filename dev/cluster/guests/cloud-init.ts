// cloud-init NoCloud for the guests: the VMI's `cloudInitNoCloud` volume becomes a `cidata` seed disk
// (user-data, meta-data, network-config, as KubeVirt writes them), plus `minicloud-tiny.sh`: the subset
// the tiny guest applies, translated here because busybox cannot read YAML. A guest with real cloud-init
// ignores that file.
//
// The subset: `hostname` (or meta-data `local-hostname`), top-level `ssh_authorized_keys` (root),
// `users[]` with `name` and `ssh_authorized_keys` ("default" means root), `write_files` (`path`,
// `content`, `encoding` b64/base64, `permissions`, `append`) and `runcmd` (strings or argv lists);
// user-data that is a script (`#!`) runs as runcmd would. Everything else is ignored.
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";

const run = promisify(execFile);

/** The largest user-data the harness accepts (KubeVirt's own limit is on the whole VMI object). */
export const maxUserDataBytes = 64 * 1024;

export interface SeedFiles {
  userData: string;
  metaData: string;
  networkData?: string;
}

/** KubeVirt's NoCloud meta-data: the instance id and the VMI's name as host name. */
export function noCloudMetaData(namespace: string, name: string, hostname: string): string {
  return `instance-id: ${name}.${namespace}\nlocal-hostname: ${hostname}\n`;
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

const userNamePattern = /^[a-z_][a-z0-9_-]{0,31}$/;
const hostnamePattern = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/;

/** The shell script that applies the supported subset of `userData` in the tiny guest. */
export function tinyGuestScript(userData: string, metaHostname: string): string {
  const lines = ["#!/bin/sh", "# Written by the minicloud harness from the VMI's cloud-init user-data (the tiny guest's subset).", "umask 022"];
  const final: string[] = [];
  let hostname = metaHostname;
  if (userData.startsWith("#!")) {
    lines.push(`printf '%s' ${quote(userData)} > /run/cidata-userdata`, "chmod 700 /run/cidata-userdata");
    final.push('head -1 /run/cidata-userdata | grep -q "^#! */bin/sh" && exec /run/cidata-userdata', "exec sh /run/cidata-userdata");
  } else if (/^#cloud-config\s*\n/.test(userData)) {
    const config = (parse(userData, { maxAliasCount: 16 }) ?? {}) as Record<string, unknown>;
    if (typeof config.hostname === "string" && hostnamePattern.test(config.hostname)) hostname = config.hostname;
    else if (typeof config.fqdn === "string" && hostnamePattern.test(config.fqdn)) hostname = config.fqdn.split(".")[0]!;
    lines.push(...keysFor("root", strings(config.ssh_authorized_keys)));
    for (const user of Array.isArray(config.users) ? config.users : []) {
      if (user === "default") continue;
      if (!user || typeof user !== "object") continue;
      const { name, ssh_authorized_keys: keys } = user as Record<string, unknown>;
      if (typeof name !== "string" || !userNamePattern.test(name)) continue;
      if (name !== "root") lines.push(addUser(name));
      lines.push(...keysFor(name, strings(keys)));
    }
    for (const file of Array.isArray(config.write_files) ? config.write_files : []) lines.push(...writeFileLines(file));
    const runcmd = Array.isArray(config.runcmd) ? config.runcmd : [];
    for (const command of runcmd) {
      if (typeof command === "string") final.push(command);
      else if (Array.isArray(command)) final.push(command.map((arg) => quote(String(arg))).join(" "));
    }
  }
  lines.unshift(`hostname ${quote(hostname)}`);
  if (final.length > 0) {
    lines.push(`printf '%s' ${quote(`#!/bin/sh\nset -x\n${final.join("\n")}\n`)} > /run/cidata-final`, "chmod 700 /run/cidata-final");
  }
  return lines.join("\n") + "\n";
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

function addUser(name: string): string {
  const home = `/home/${name}`;
  return `grep -q ${quote(`^${name}:`)} /etc/passwd || { uid=$((1000 + $(wc -l < /etc/passwd))); echo ${quote(name)}":x:$uid:$uid::${home}:/bin/sh" >> /etc/passwd; echo ${quote(name)}":*:19000:0:99999:7:::" >> /etc/shadow; mkdir -p ${quote(home)}; chown "$uid:$uid" ${quote(home)}; }`;
}

function keysFor(user: string, keys: string[]): string[] {
  if (keys.length === 0) return [];
  const home = user === "root" ? "/root" : `/home/${user}`;
  const ssh = `${home}/.ssh`;
  return [
    `mkdir -p ${quote(ssh)}`,
    ...keys.map((key) => `printf '%s\\n' ${quote(key.trim())} >> ${quote(`${ssh}/authorized_keys`)}`),
    `chmod 700 ${quote(ssh)}; chmod 600 ${quote(`${ssh}/authorized_keys`)}; chown -R ${quote(user)} ${quote(ssh)}`,
  ];
}

function writeFileLines(entry: unknown): string[] {
  if (!entry || typeof entry !== "object") return [];
  const file = entry as Record<string, unknown>;
  if (typeof file.path !== "string" || !file.path.startsWith("/")) return [];
  const content = typeof file.content === "string" ? file.content : "";
  const encoding = typeof file.encoding === "string" ? file.encoding : "text/plain";
  const redirect = file.append === true ? ">>" : ">";
  const lines = [`mkdir -p ${quote(path.posix.dirname(file.path))}`];
  if (encoding === "b64" || encoding === "base64") lines.push(`printf '%s' ${quote(content.replace(/\s+/g, ""))} | base64 -d ${redirect} ${quote(file.path)}`);
  else lines.push(`printf '%s' ${quote(content)} ${redirect} ${quote(file.path)}`);
  const permissions = typeof file.permissions === "string" ? file.permissions : typeof file.permissions === "number" ? file.permissions.toString(8) : undefined;
  if (permissions && /^0?[0-7]{3,4}$/.test(permissions)) lines.push(`chmod ${permissions} ${quote(file.path)}`);
  return lines;
}

/** Writes the seed's files into `dir` and makes `seed.iso` (volume label `cidata`) with genisoimage. */
export async function buildSeedIso(dir: string, files: SeedFiles, tinyScript: string): Promise<string> {
  const content = path.join(dir, "cidata");
  await mkdir(content, { recursive: true });
  await writeFile(path.join(content, "user-data"), files.userData);
  await writeFile(path.join(content, "meta-data"), files.metaData);
  if (files.networkData !== undefined) await writeFile(path.join(content, "network-config"), files.networkData);
  await writeFile(path.join(content, "minicloud-tiny.sh"), tinyScript);
  const iso = path.join(dir, "seed.iso");
  await run("genisoimage", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", "-input-charset", "utf-8", content]);
  return iso;
}
