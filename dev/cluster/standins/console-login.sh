#!/usr/bin/env bash
# Stand-in serial console of a minicloud VM: a login-like prompt, then an interactive shell.
# Runs on a PTY (util-linux `script`) in a scratch directory of the local machine; no guest exists.
vm="${1:-vm}"
printf '\nminicloud stand-in serial console: %s ttyS0\n\n' "$vm"
user=""
while [ -z "$user" ]; do
  printf '%s login: ' "$vm"
  IFS= read -r user || exit 0
  user="${user//[^a-zA-Z0-9._-]/}"
done
printf 'Last login: %s on ttyS0\n' "$(date -u '+%a %b %e %H:%M:%S %Y')"
export USER="$user" LOGNAME="$user" PS1="${user}@${vm}:~\$ "
exec bash --noprofile --norc -i
