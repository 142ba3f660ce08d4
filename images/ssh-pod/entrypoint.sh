#!/bin/bash
# Starts an SSH pod: creates the owner's account, installs the authorized keys from the
# mounted Secret, prepares host keys and runs sshd in the foreground, logging to stdout.
#
# Environment:
#   MINICLOUD_USER       the owner's login name (required; a POSIX name the panel derived)
#   MINICLOUD_KEYS_FILE  where the Secret's authorized_keys is mounted
#                        (default /etc/minicloud/secret/authorized_keys)
set -euo pipefail

log() { echo "minicloud-entrypoint: $*"; }
fail() { log "error: $*"; exit 1; }

user="${MINICLOUD_USER:-}"
keys_source="${MINICLOUD_KEYS_FILE:-/etc/minicloud/secret/authorized_keys}"
keys_target=/etc/minicloud/ssh/authorized_keys
uid=1000

# The panel sends a valid name; refuse anything else rather than pass it to useradd.
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || fail "MINICLOUD_USER must be a POSIX user name, got '${user}'"
[[ "$user" != root ]] || fail "MINICLOUD_USER may not be root"

# --- the owner's account: uid 1000, locked password, passwordless sudo -----------------
home="/home/${user}"
if ! id -u "$user" >/dev/null 2>&1; then
  # A name already taken by a system account (e.g. "daemon") would give the owner its uid.
  getent passwd "$uid" >/dev/null && fail "uid ${uid} is already in use in this image"
  if [[ -d "$home" ]]; then
    # The home volume survived a reset: reuse it as it is.
    useradd --uid "$uid" --user-group --no-create-home --home-dir "$home" --shell /bin/bash "$user"
  else
    useradd --uid "$uid" --user-group --create-home --home-dir "$home" --shell /bin/bash "$user"
  fi
fi
# No password ever works (keys only); with UsePAM, sshd still admits key logins to a locked account.
passwd --lock "$user" >/dev/null
chown "$uid:$uid" "$home"
chmod 0750 "$home"
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" >/etc/sudoers.d/minicloud-user
chmod 0440 /etc/sudoers.d/minicloud-user

# --- authorized keys: only from the Secret, as a root-owned copy -----------------------
install_keys() {
  local tmp
  tmp="$(mktemp /etc/minicloud/ssh/.authorized_keys.XXXXXX)"
  if [[ -r "$keys_source" ]]; then cat "$keys_source" >"$tmp"; else : >"$tmp"; fi
  chown root:root "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$keys_target"
}
[[ -r "$keys_source" ]] || log "warning: ${keys_source} is missing; nobody can log in until it appears"
install_keys
# Kubernetes updates a mounted Secret in place; follow it so added keys work without a reset.
(
  last="$(sha256sum "$keys_source" 2>/dev/null || true)"
  while sleep 30; do
    now="$(sha256sum "$keys_source" 2>/dev/null || true)"
    if [[ "$now" != "$last" ]]; then
      if install_keys; then log "authorized keys updated"; else log "warning: could not update authorized keys"; fi
      last="$now"
    fi
  done
) &

# --- host keys: generated once, kept under /home when it is a volume -------------------
host_keys=/etc/minicloud/host-keys
if mountpoint -q /home; then
  store=/home/.minicloud-host-keys
  mkdir -p "$store"
  chown root:root "$store"
  chmod 0700 "$store"
  rm -rf "$host_keys"
  ln -s "$store" "$host_keys"
else
  mkdir -p "$host_keys"
  chmod 0700 "$host_keys"
fi
for type in ed25519 ecdsa rsa; do
  key="${host_keys}/ssh_host_${type}_key"
  if [[ ! -s "$key" ]]; then
    rm -f "$key" "$key.pub"
    ssh-keygen -q -t "$type" -N '' -C "minicloud-${HOSTNAME:-pod}" -f "$key"
    log "generated ${type} host key"
  fi
  chmod 0600 "$key"
done

mkdir -p /run/sshd
chmod 0755 /run/sshd
/usr/sbin/sshd -t
log "starting sshd for ${user}"
# -D: stay in the foreground; -e: log to stderr (the container log) instead of syslog.
exec /usr/sbin/sshd -D -e
