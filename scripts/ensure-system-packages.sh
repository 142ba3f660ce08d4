#!/usr/bin/env bash
# Installs the Debian packages the test suites run for real, when they are missing:
# PostgreSQL (integration tests), Chromium (Playwright), OpenSSH server (the local cluster's sshd),
# Go (builds the local cluster's Kubernetes binaries) and what the local cluster's VM guests are
# made of: QEMU (TCG), the Debian kernel, busybox, dropbear, genisoimage.
#
#   ensure-system-packages.sh                  everything above
#   ensure-system-packages.sh local-cluster    only what the built-in local cluster needs
#   … --check                                  print what is missing (one line) and exit 1 if anything is; install nothing
set -euo pipefail
group=all
check_only=false
for arg in "$@"; do
  case "$arg" in
    local-cluster) group=local-cluster ;;
    --check) check_only=true ;;
    *) echo "usage: $0 [local-cluster] [--check]" >&2; exit 2 ;;
  esac
done
missing=()
if [ "$group" = all ]; then
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
# Debian's golang-go may be older than Kubernetes needs; the build then fetches a newer Go
# toolchain through the Go module proxy (dev/cluster/go.ts).
command -v go >/dev/null || missing+=(golang-go)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v openssl >/dev/null || missing+=(openssl)
command -v script >/dev/null || missing+=(bsdutils)
[ -x /usr/bin/qemu-system-x86_64 ] || missing+=(qemu-system-x86)
command -v qemu-img >/dev/null || missing+=(qemu-utils)
# Either place will do (ls fails when any one pattern matches nothing, so count what it lists).
{ ls -d /usr/lib/linux-image-*-amd64 /boot/vmlinuz-*-amd64 2>/dev/null || true; } | grep -q . || missing+=(linux-image-amd64)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
[ -x /usr/sbin/dropbear ] || missing+=(dropbear-bin)
command -v genisoimage >/dev/null || missing+=(genisoimage)
command -v xz >/dev/null || missing+=(xz-utils)
if [ "$check_only" = true ]; then
  echo "${missing[*]}"
  [ ${#missing[@]} -eq 0 ]
  exit
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "minicloud: installing Debian packages: ${missing[*]}" >&2
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
# policy-rc.d keeps the package scripts from starting system services: the tests start their own on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee /usr/sbin/policy-rc.d >/dev/null
  $sudo_cmd chmod +x /usr/sbin/policy-rc.d
  trap '$sudo_cmd rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
