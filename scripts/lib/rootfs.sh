# Debian root filesystems for the workshop's local images (sourced, not run).
#
# Used by scripts/build-images (the debootstrap images) and
# scripts/standin-images (stand-ins for the official base images). Nothing is
# pulled from a registry: a bookworm minbase is made once with debootstrap
# (packages come from deb.debian.org), kept as a tarball in the cache, and
# every image's root filesystem is derived from it by installing packages in a
# chroot on the host. Each derived rootfs is cached too, so a rerun only runs
# `docker import`.
#
# Environment:
#   WORKSHOP_CACHE        cache directory (default ~/.cache/workshop)
#   DEBIAN_MIRROR         default http://deb.debian.org/debian
#   WORKSHOP_MINBASE_DIR  an existing, complete `debootstrap --variant=minbase
#                         bookworm` directory to use instead of running
#                         debootstrap (it is copied, never modified)
#
# The caller sets WS_NAME (the prefix of its messages) before sourcing.

WS_CACHE="${WORKSHOP_CACHE:-$HOME/.cache/workshop}"
WS_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WS_SUITE=bookworm
WS_MINBASE_TAR="$WS_CACHE/rootfs-$WS_SUITE-minbase.tar"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

ws_say() { echo "${WS_NAME:-workshop}: $*" >&2; }
ws_die() { ws_say "error: $*"; exit 1; }

ws_need_docker() {
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    ws_die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); start Docker first"
}

ws_have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# Temporary directories holding a rootfs under construction; removed (after
# unmounting /proc) on exit, whatever the exit status.
WS_TMP_ROOTS=()
ws_cleanup_roots() {
  local r
  for r in "${WS_TMP_ROOTS[@]}"; do
    [ -n "$r" ] && [ -d "$r" ] || continue
    $SUDO umount "$r/proc" 2>/dev/null || true
    $SUDO rm -rf --one-file-system "$r"
  done
  WS_TMP_ROOTS=()
}
trap ws_cleanup_roots EXIT

# Sets WS_ROOT to a new temporary directory (removed on exit).
ws_new_root() {
  WS_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/workshop-rootfs.XXXXXX")"
  WS_TMP_ROOTS+=("$WS_ROOT")
}

# Writes $2 from the directory $1 atomically (a .partial file, then rename).
ws_tar_root() {
  local root="$1" out="$2"
  mkdir -p "$(dirname "$out")"
  $SUDO tar -C "$root" --numeric-owner --xattrs -cf "$out.partial" .
  $SUDO chown "$(id -u):$(id -g)" "$out.partial"
  mv "$out.partial" "$out"
}

# The pristine minbase (apt lists and downloaded .debs kept, so derived
# rootfs can install packages without downloading the index again).
ws_minbase() {
  [ -s "$WS_MINBASE_TAR" ] && return 0
  if [ -n "${WORKSHOP_MINBASE_DIR:-}" ]; then
    [ -x "$WORKSHOP_MINBASE_DIR/usr/bin/apt-get" ] && [ ! -e "$WORKSHOP_MINBASE_DIR/debootstrap" ] ||
      ws_die "WORKSHOP_MINBASE_DIR=$WORKSHOP_MINBASE_DIR is not a complete debootstrap"
    ws_say "using the minbase in $WORKSHOP_MINBASE_DIR"
    ws_tar_root "$WORKSHOP_MINBASE_DIR" "$WS_MINBASE_TAR"
    return 0
  fi
  command -v debootstrap >/dev/null || ws_die "debootstrap is missing: apt-get install -y debootstrap"
  ws_new_root
  ws_say "debootstrap --variant=minbase $WS_SUITE into $WS_ROOT (a few minutes, once)"
  $SUDO debootstrap --variant=minbase "$WS_SUITE" "$WS_ROOT" "$WS_MIRROR" >&2
  ws_tar_root "$WS_ROOT" "$WS_MINBASE_TAR"
  ws_cleanup_roots
}

# Unpacks the minbase into a new directory WS_ROOT, ready for `chroot`
# (package scripts may not start services).
ws_open_root() {
  local root
  ws_minbase
  ws_new_root
  root="$WS_ROOT"
  $SUDO tar -C "$root" --numeric-owner --xattrs -xf "$WS_MINBASE_TAR"
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$root/usr/sbin/policy-rc.d" >/dev/null
  $SUDO chmod 755 "$root/usr/sbin/policy-rc.d"
  $SUDO cp /etc/resolv.conf "$root/etc/resolv.conf"
  $SUDO mount -t proc proc "$root/proc"
}

# Runs a command in the chroot $1.
ws_chroot() {
  local root="$1"; shift
  $SUDO chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Installs Debian packages (no recommends) into the chroot $1.
ws_install() {
  local root="$1"; shift
  ws_say "installing in the chroot: $*"
  ws_chroot "$root" apt-get install -y -q --no-install-recommends "$@" >&2
}

# Leaves the chroot as an image's root filesystem: unmounted, no host
# identity, and trimmed the way debian:*-slim is (no documentation except
# copyright files, no man/info pages, no translations, no apt lists or
# caches, no logs), with dpkg told to keep it so for later installs.
ws_close_root() {
  local root="$1"
  $SUDO umount "$root/proc"
  $SUDO sh -eu -c '
    r="$1"
    rm -f "$r/usr/sbin/policy-rc.d"
    : > "$r/etc/resolv.conf"
    echo localhost > "$r/etc/hostname"
    : > "$r/etc/machine-id"
    rm -rf "$r/var/lib/apt/lists/"* "$r/var/cache/apt/"*.bin "$r/var/cache/apt/archives/"*.deb \
      "$r/var/cache/apt/archives/partial/"* "$r/var/cache/debconf/"*-old "$r/var/lib/dpkg/"*-old \
      "$r/var/cache/ldconfig/aux-cache" "$r/tmp/"* "$r/var/tmp/"* "$r/root/".bash_history
    find "$r/var/log" -type f -delete
    find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$r/usr/share/man/"* "$r/usr/share/info/"* "$r/usr/share/groff/"* \
      "$r/usr/share/lintian/"* "$r/usr/share/linda/"* "$r/usr/share/locale/"*
    mkdir -p "$r/etc/dpkg/dpkg.cfg.d" "$r/etc/apt/apt.conf.d"
    cat > "$r/etc/dpkg/dpkg.cfg.d/workshop-slim" <<CFG
# Written by the workshop rootfs scripts: keep this image as small as
# debian:bookworm-slim when packages are installed later.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CFG
    cat > "$r/etc/apt/apt.conf.d/workshop-slim" <<CFG
// Written by the workshop rootfs scripts: no translations, no kept .debs.
Acquire::Languages "none";
APT::Keep-Downloaded-Packages "false";
CFG
  ' sh "$root"
}

# Makes the rootfs tarball $1 (unless cached) by running the function $2
# with the opened chroot's path as its argument.
ws_rootfs() {
  local out="$1" customize="$2" root
  if [ -s "$out" ]; then
    ws_say "rootfs cached: $out"
    return 0
  fi
  ws_open_root
  root="$WS_ROOT"
  "$customize" "$root"
  ws_close_root "$root"
  ws_tar_root "$root" "$out"
  ws_cleanup_roots
  ws_say "rootfs made: $out ($(du -h "$out" | cut -f1))"
}
