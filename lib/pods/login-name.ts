// The login name of a pod's owner inside the pod (MINICLOUD_USER). It must be a valid POSIX
// user name that Debian's useradd accepts, must not collide with the image's system
// accounts, and must be the same every time for the same person, so ssh commands and the
// home directory on a kept volume stay the same.
//
// The rule: take the e-mail's local part (before "@", and before a "+tag"), lower-case it,
// turn every run of characters other than a–z, 0–9, "_" and "-" into one "-", drop leading
// characters until it starts with a letter or "_", drop trailing dashes, cut to 32
// characters. Nothing left → "user". A name the image already uses (root, daemon, sshd, …)
// gets the prefix "u-".

/** The longest login name we produce (Linux allows 32). */
export const MAX_LOGIN_NAME_LENGTH = 32;

/** What a valid result looks like (also checked by the image's entrypoint). */
export const LOGIN_NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

// Accounts present in debian:bookworm-slim with openssh-server and sudo, and other usual ones.
const RESERVED = new Set([
  "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
  "www-data", "backup", "list", "irc", "gnats", "nobody", "nogroup", "_apt", "sshd", "messagebus",
  "systemd-network", "systemd-resolve", "systemd-timesync", "admin", "sudo", "staff", "users",
  "adm", "tty", "disk", "kmem", "dialout", "operator", "shadow", "utmp", "video", "audio", "plugdev",
]);

/** The login name for the owner with this e-mail address. */
export function loginNameFor(email: string): string {
  const local = email.split("@")[0]!.split("+")[0]!.toLowerCase();
  let name = local
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z_]+/, "")
    .slice(0, MAX_LOGIN_NAME_LENGTH)
    .replace(/-+$/, "");
  if (!name) name = "user";
  if (RESERVED.has(name)) name = `u-${name}`.slice(0, MAX_LOGIN_NAME_LENGTH).replace(/-+$/, "");
  return name;
}
