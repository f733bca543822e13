#!/usr/bin/env bash
# Build Loket's flashable SD-card image from Debian packages only.
#
#   image/build.sh [--arch arm64|amd64] [--suite trixie|bookworm] [--out DIR] [--wheel FILE]
#                  [--cache DIR] [--release-key FILE.pub] [--mirror URL] [--dry-run]
#
# --suite: the Debian release, trixie (Debian 13, the default) or bookworm
#        (Debian 12, while it is supported; also LOKET_SUITE). What differs
#        between them (Python version, package names) is in image/suites.py.
#
# arm64: the Raspberry Pi image (Pi 3, 4/400, CM4, Zero 2 W: Debian's
#        raspi-firmware + linux-image-arm64).
# amd64: its twin for the boot test (same rootfs recipe, Debian's amd64
#        kernel; QEMU boots its kernel and initrd directly, which the build
#        also writes beside the image).
#
# --release-key: the public half of the release key (image/bundle.py keygen);
# the box installs only update bundles signed by it. Without it, this build
# machine's development key (made once in the cache dir) is used, and the
# build says so: fine for tests, not for shops.
#
# Packages come from where this machine's apt gets Debian (its sources.list
# or deb822 .sources: a local mirror or apt-cacher URI works as it is), through
# its apt proxy settings and http_proxy; --mirror URL (or LOKET_MIRROR) says
# otherwise, e.g. a snapshot.debian.org date. --dry-run prints the source, the
# cache key and the mmdebstrap command, and builds nothing.
#
# Outputs in DIR (default ./build/image): loket-<version>-<arch>.img.zst,
# .img.bmap, SHA256SUMS, and for amd64 also -vmlinuz and -initrd.img.
#
# Nothing runs under emulation but dpkg's own maintainer scripts: the venv
# is made on the host from wheels pip downloads for the target platform,
# units are enabled with the host's systemctl --root, and the partitions are
# assembled without loop devices (mkfs.vfat + mtools, mkfs.ext4 -d, sfdisk).
#
# Reproducible: SOURCE_DATE_EPOCH (default: the last commit's time) fixes
# every timestamp, file system UUID, hash seed and the disk id; files are
# added in sorted order. The same inputs (repository, package versions on
# the mirror, wheels) give the same bytes.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ARCH=arm64
OUT=$REPO/build/image
WHEEL=
CACHE=${LOKET_IMAGE_CACHE:-/var/cache/loket-image}
RELEASE_KEY=${LOKET_RELEASE_KEY:-}
MIRROR=${LOKET_MIRROR:-}
DRY_RUN=
SUITE=${LOKET_SUITE:-}
PY=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=python3

while [ $# -gt 0 ]; do
  case $1 in
    --arch) ARCH=$2; shift 2 ;;
    --suite) SUITE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --wheel) WHEEL=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --release-key) RELEASE_KEY=$2; shift 2 ;;
    --mirror) MIRROR=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $ARCH in
  arm64) PYPLAT=aarch64 ;;
  amd64) PYPLAT=x86_64 ;;
  *) echo "build.sh: --arch must be arm64 or amd64" >&2; exit 2 ;;
esac
# The suite's Python, apt suites and package list (PACKAGES), from the one table.
[ -n "$SUITE" ] || SUITE=$("$PY" "$HERE/suites.py" names | cut -d' ' -f1)
SUITE_SHELL=$("$PY" "$HERE/suites.py" shell "$SUITE" "$ARCH" 2>/dev/null) ||
  { echo "build.sh: --suite must be one of: $("$PY" "$HERE/suites.py" names)" >&2; exit 2; }
eval "$SUITE_SHELL"

T0=$(date +%s)
step() { printf '\033[1m==> [%4ss] %s\033[0m\n' $(( $(date +%s) - T0 )) "$*" >&2; }
need() { [ -n "$DRY_RUN" ] || command -v "$1" >/dev/null || { echo "build.sh: $1 is missing: apt-get install $2" >&2; exit 1; }; }
need mmdebstrap mmdebstrap; need mkfs.vfat dosfstools; need mcopy mtools; need mkfs.ext4 e2fsprogs
need sfdisk fdisk; need bmaptool bmap-tools; need zstd zstd; need systemctl systemd

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C.UTF-8
# The host's pip configuration (extra indexes, find-links) must not leak in.
export PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_EXTRA_INDEX_URL=
umask 022

VERSION=$("$PY" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$REPO/pyproject.toml")
NAME=loket-$VERSION-$ARCH

# -- 0. the package source: --mirror, else this machine's own apt configuration ------------
# apt itself reads the sources (one-line and deb822 alike). The Debian archive is
# the entry for a plain release (not -updates or -security) whose Release file says
# Label: Debian; before the first `apt-get update` that is unknown, so then the
# first such entry with a main component.
host_debian_source() {
  { apt-get indextargets --format '$(TARGET_OF)|$(LABEL)|$(RELEASE)|$(COMPONENT)|$(REPO_URI)|$(SOURCESENTRY)' 2>/dev/null |
      awk -F'|' '$1 == "deb" && $2 == "Debian" && $3 !~ /-/ && $4 == "main" { print $5 "|" $6 }'
    apt-get indextargets --no-release-info --format '$(TARGET_OF)|$(RELEASE)|$(COMPONENT)|$(REPO_URI)|$(SOURCESENTRY)' 2>/dev/null |
      awk -F'|' '$1 == "deb" && $2 !~ /-/ && $3 == "main" { print $4 "|" $5 }'
  } | head -1
}
SOURCE_FROM="--mirror"
if [ -z "$MIRROR" ]; then
  FOUND=$(host_debian_source || true)
  MIRROR=${FOUND%%|*}
  SOURCE_FROM="this machine's apt sources (${FOUND#*|})"
  [ -n "$MIRROR" ] || { echo "build.sh: this machine's apt knows no Debian archive (no sources entry with a main" \
                             "component); give one: --mirror http://deb.debian.org/debian" >&2; exit 2; }
fi
MIRROR=${MIRROR%/}
# The host's apt proxy (Acquire::http::Proxy, per-host proxies, Proxy-Auto-Detect)
# for apt inside mmdebstrap, which reads no host configuration. A proxy changes
# no package, so it is not part of the cache key (the base hooks remove it again).
APTOPTS=()
while IFS= read -r option; do APTOPTS+=(--aptopt="$option"); done \
  < <(apt-config dump 2>/dev/null | grep -E '^Acquire::[a-z]+::Proxy' || true)
PROXY_ENV=()
for variable in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!variable:-}" ] && PROXY_ENV+=("$variable=${!variable}")
done

# -- 1. the Debian package list (the cache key of the base rootfs) -------------------
# PACKAGES (image/suites.py): the appliance's packages, the kernel and, for a Pi,
# raspi-firmware, linux-image-arm64, firmware-brcm80211 and wpasupplicant.
case $ARCH in
  # Storage and console drivers the initramfs needs on a Pi (and on QEMU's virt board).
  arm64) INITRD_MODULES="mmc_block sdhci_iproc bcm2835 sdhci_pltfm ext4 crc32c_generic virtio_blk virtio_mmio virtio_pci" ;;
  amd64) INITRD_MODULES="virtio_pci virtio_blk virtio_scsi sd_mod ahci ext4 crc32c_generic" ;;
esac
# The base has its own fixed epoch, so a new commit does not invalidate the
# cache; its files are older than any commit's SOURCE_DATE_EPOCH anyway.
BASE_EPOCH=${LOKET_BASE_EPOCH:-1735689600}   # 2025-01-01
KEY=$(printf '%s\n' "$SUITE" "$ARCH" "$MIRROR" "$BASE_EPOCH" "$INITRD_MODULES" "${PACKAGES[@]}" \
      "$(sed -n '/^# -- base hooks/,/^# -- end base hooks/p' "$0")" | sha256sum | cut -c1-16)
BASE=$CACHE/base-$SUITE-$ARCH-$KEY.tar

# The image's own apt sources name Debian's archive for the suite, its updates and
# its security archive (deb822), never the build machine's mirror or proxy.
IMAGE_SOURCES="Types: deb
URIs: http://deb.debian.org/debian
Suites: $SUITE_APT
Components: main non-free-firmware

Types: deb
URIs: http://security.debian.org/debian-security
Suites: $SUITE_SECURITY
Components: main non-free-firmware"

# -- base hooks (part of the cache key) --
# Run by mmdebstrap on the host, with the rootfs as $1.
# (Only files no package owns: a conffile written here would stop dpkg with a question.)
# The image names Debian's own archive, not the build machine's mirror or proxy.
ESSENTIAL_HOOK='
  mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/boot/firmware";
  printf "MODULES=list\nCOMPRESS=zstd\n" > "$1/etc/initramfs-tools/conf.d/loket.conf";
  mkdir -p "$1/usr/share/initramfs-tools/modules.d";
  printf "%s\n" '"$INITRD_MODULES"' > "$1/usr/share/initramfs-tools/modules.d/loket"'
CUSTOMIZE_HOOK='
  if [ -e "$1/etc/kernel/postinst.d/z50-raspi-firmware" ]; then
    sed -i -e "s/^#\?ROOTPART=.*/ROOTPART=LABEL=loket-root/" -e "s/^#\?CONSOLES=.*/CONSOLES=\"ttyS1,115200 tty0\"/" \
      "$1/etc/default/raspi-firmware";
    for v in $(ls "$1/lib/modules"); do
      chroot "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware "$v";
    done;
  fi;
  rm -f "$1/etc/apt/sources.list";
  printf "%s\n" "'"$IMAGE_SOURCES"'" > "$1/etc/apt/sources.list.d/debian.sources";
  rm -f "$1/etc/apt/apt.conf.d/99mmdebstrap";
  rm -rf "$1/var/cache/apt/"*.bin "$1/var/lib/apt/lists/"* "$1/var/log/"*.log "$1/var/log/apt" "$1/var/cache/debconf/"*-old'
# -- end base hooks --
MMDEBSTRAP=(mmdebstrap --format=tar --mode=root --variant=minbase --arch="$ARCH"
  --components=main,non-free-firmware
  --include="$(IFS=,; echo "${PACKAGES[*]}")"
  "${APTOPTS[@]}"
  --essential-hook="$ESSENTIAL_HOOK"
  --customize-hook="$CUSTOMIZE_HOOK"
  "$SUITE" "$BASE.partial" "$MIRROR")

if [ -n "$DRY_RUN" ]; then
  printf 'suite: %s (python %s)\nimage sources: %s\n' "$SUITE" "$SUITE_PYTHON" \
    "$(printf '%s' "$IMAGE_SOURCES" | sed -n 's/^\(URIs\|Suites\): //p' | paste -sd' ')"
  printf 'source: %s\nfrom: %s\nproxy: %s\nbase: %s\nmmdebstrap:' "$MIRROR" "$SOURCE_FROM" \
    "$( { printf '%s ' "${APTOPTS[@]#--aptopt=}" "${PROXY_ENV[@]}"; } | sed 's/ *$//')" "$BASE"
  printf ' %q' "${MMDEBSTRAP[@]}"; echo
  exit 0
fi
mkdir -p "$OUT" "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/loket-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ -f "$BASE" ]; then
  step "base rootfs from the cache: $BASE"
else
  step "building the base rootfs ($ARCH, ${#PACKAGES[@]} packages) with mmdebstrap"
  if [ "$ARCH" = arm64 ] && [ "$(dpkg --print-architecture)" != arm64 ]; then
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || {
      mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
      update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    }
  fi
  step "package source: $MIRROR, from $SOURCE_FROM"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SOURCE_DATE_EPOCH="$BASE_EPOCH" TMPDIR=/var/tmp "${PROXY_ENV[@]}" \
    "${MMDEBSTRAP[@]}" > "$CACHE/base-$SUITE-$ARCH.log" 2>&1 ||
    { rm -f "$BASE.partial"; tail -40 "$CACHE/base-$SUITE-$ARCH.log" >&2
      echo "build.sh: mmdebstrap failed; the whole log: $CACHE/base-$SUITE-$ARCH.log" >&2; exit 1; }
  mv "$BASE.partial" "$BASE"
  # Older bases with other keys are dead weight.
  ls -t "$CACHE"/base-"$SUITE"-"$ARCH"-*.tar 2>/dev/null | tail -n +3 | xargs -r rm -f
fi

# -- 2. wheels for the target (no compiler, nothing under emulation) ---------------------
step "wheels for $PYPLAT"
WHEELS=$WORK/wheels
# One place decides the wheel set, for the image and for update bundles.
LOKET_IMAGE_CACHE=$CACHE "$PY" "$HERE/bundle.py" wheels --arch "$ARCH" --suite "$SUITE" --out "$WHEELS" ${WHEEL:+--wheel "$WHEEL"} >/dev/null
if [ -z "$RELEASE_KEY" ]; then
  RELEASE_KEY=$CACHE/dev-release-key.pub
  [ -f "$RELEASE_KEY" ] || LOKET_IMAGE_CACHE=$CACHE "$PY" "$HERE/bundle.py" keygen "$CACHE/dev-release-key" >/dev/null
  echo "build.sh: no --release-key: this image accepts updates signed by this machine's development key" \
       "($CACHE/dev-release-key); give the release key's public half for a shop's image" >&2
fi
[ -f "$RELEASE_KEY" ] || { echo "build.sh: release key $RELEASE_KEY not found" >&2; exit 2; }

# -- 3. the rootfs: base + Loket ------------------------------------------------------------
step "unpacking the base rootfs"
ROOT=$WORK/root
mkdir -p "$ROOT"
tar -C "$ROOT" --numeric-owner -xpf "$BASE"

step "installing Loket into /opt/loket/releases/$VERSION (venv -> it)"
# Releases side by side; the link venv names the running one (offline updates
# add a release and move the link: appliance/box/update.py).
RELEASE=/opt/loket/releases/$VERSION
VENV=$ROOT$RELEASE
PYVER=$(readlink "$ROOT/usr/bin/python3" | sed 's/^python//')   # 3.13 on trixie
[ "$PYVER" = "$SUITE_PYTHON" ] ||
  { echo "build.sh: the $SUITE base has Python $PYVER, image/suites.py says $SUITE_PYTHON" >&2; exit 1; }
SITE=$VENV/lib/python$PYVER/site-packages
mkdir -p "$VENV/bin" "$SITE"
# A venv by hand: what `python3 -m venv` would write, without running the
# target's python (and without python3-venv in the image).
ln -s "/usr/bin/python$PYVER" "$VENV/bin/python"
ln -s python "$VENV/bin/python3"
ln -s lib "$VENV/lib64"
printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = %s\n' \
  "$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Version}' "python$PYVER" | sed 's/-.*//')" \
  > "$VENV/pyvenv.cfg"
"$PY" -m pip install -q --disable-pip-version-check --no-index --find-links "$WHEELS" \
  --target "$SITE" --no-compile --platform "manylinux2014_$PYPLAT" --platform "manylinux_2_28_$PYPLAT" \
  --implementation cp --python-version "$PYVER" --abi "$SUITE_ABI" --abi abi3 --abi none --only-binary=:all: \
  "loket==$VERSION" 2>&1 | grep -v -E "WARNING: Target directory|^$" >&2 || true
test -d "$SITE/appliance" || { echo "build.sh: Loket did not install into the venv" >&2; exit 1; }
rm -rf "$SITE/bin"   # pip's scripts carry the host's interpreter; ours follow
cat > "$VENV/bin/loket" <<EOF
#!$RELEASE/bin/python
import sys
from appliance.cli import main
sys.exit(main())
EOF
chmod 755 "$VENV/bin/loket"
ln -s "releases/$VERSION" "$ROOT/opt/loket/venv"
ln -sf /opt/loket/venv/bin/loket "$ROOT/usr/local/bin/loket"   # for the technician at the console
# Byte-code compiled now (the venv is read-only at run time): hash-based,
# so it is valid whatever the file times are, and reproducible.
"$PY" -m compileall -q -j0 --invalidation-mode unchecked-hash -d $RELEASE/lib/python$PYVER/site-packages \
  "$SITE" >/dev/null || true
find "$SITE" -name 'RECORD' -path '*.dist-info/*' -exec sed -i "s#$SITE#$RELEASE/lib/python$PYVER/site-packages#g" {} +
mkdir -p "$ROOT/opt/loket/share"
cp "$HERE/README.md" "$ROOT/opt/loket/share/README.md" 2>/dev/null || true
( cd "$WHEELS" && sha256sum -- *.whl ) > "$ROOT/opt/loket/share/wheels.sha256"
install -m 644 "$RELEASE_KEY" "$ROOT/opt/loket/share/release-key.pub"

step "units, user, settings, hostname"
S=$REPO/systemd
install -m 644 "$S"/loket-*.service "$S"/loket-*.timer "$S"/loket-*.path "$ROOT/usr/lib/systemd/system/"
install -D -m 644 "$S/99-loket-modem.rules" "$ROOT/usr/lib/udev/rules.d/99-loket-modem.rules"
install -D -m 644 "$S/99-loket-backup.rules" "$ROOT/usr/lib/udev/rules.d/99-loket-backup.rules"
install -D -m 644 "$S/journald-loket.conf" "$ROOT/etc/systemd/journald.conf.d/loket.conf"
install -D -m 644 "$S/loket.sysusers" "$ROOT/usr/lib/sysusers.d/loket.conf"
install -D -m 644 "$S/loket.tmpfiles" "$ROOT/usr/lib/tmpfiles.d/loket.conf"
systemd-sysusers --root="$ROOT" >/dev/null
systemd-tmpfiles --root="$ROOT" --create "$S/loket.tmpfiles" >/dev/null
case $ARCH in
  arm64) MODEMS="at:/dev/loket-modem" ;;
  amd64) MODEMS="at:/dev/ttyS1" ;;   # the boot test's simulated modem, on the VM's second UART
esac
install -D -m 644 /dev/stdin "$ROOT/etc/loket/loket.toml" <<EOF
# Loket on the appliance. Every setting: \`loket settings\`.
data_dir = "/var/lib/loket"   # database, queue, backups, device secret
host = "0.0.0.0"
port = 80
clock = "appliance"
modems = "$MODEMS"
sqlite_synchronous = "full"
EOF
echo loket > "$ROOT/etc/hostname"; chmod 644 "$ROOT/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tloket.local loket\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
BOOTFS=/boot/firmware; [ "$ARCH" = amd64 ] && BOOTFS=/boot/efi-unused
cat > "$ROOT/etc/fstab" <<EOF
# noatime: no write per read (SD-card wear). The journal and SQLite fsync what matters.
LABEL=loket-root  /  ext4  noatime,errors=remount-ro  0 1
LABEL=LOKET-BOOT  /boot/firmware  vfat  noatime,umask=0077,nofail,x-systemd.device-timeout=10s  0 2
# A USB stick labelled LOKET-BACKUP (LOKETBACKUP on FAT: 99-loket-backup.rules):
# mounted on first use for the backup service (owned by loket), unmounted when
# idle so it can be pulled.
/dev/loket-backup  /media/loket-backup  auto  noauto,nofail,x-systemd.automount,x-systemd.idle-timeout=30s,x-systemd.device-timeout=2s,uid=loket,gid=loket,umask=0007,flush,nosuid,nodev,noexec  0 0
EOF
[ "$ARCH" = amd64 ] && sed -i '/LOKET-BOOT/d' "$ROOT/etc/fstab"
install -d -m 755 "$ROOT/media/loket-backup"
# Wired LAN by DHCP, with a link-local fallback so a laptop on a cable finds loket.local.
install -D -m 644 /dev/stdin "$ROOT/etc/systemd/network/20-wired.network" <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
LinkLocalAddressing=yes
IPv6AcceptRA=yes
EOF
systemctl --root="$ROOT" enable -q systemd-networkd.service systemd-timesyncd.service avahi-daemon.service \
  loket-clock.service loket-firstboot.service loket-web.service loket-worker.service \
  loket-backup.timer loket-clock-save.timer loket-restore.path \
  loket-grow-root.service loket-update.path loket-update-usb.service
systemctl --root="$ROOT" disable -q apt-daily.timer apt-daily-upgrade.timer 2>/dev/null || true
# Nothing secret or device-specific in the image: machine id, seeds, keys are made on the box.
: > "$ROOT/etc/machine-id"
rm -f "$ROOT/var/lib/dbus/machine-id" "$ROOT/var/lib/systemd/random-seed" "$ROOT"/etc/ssh/ssh_host_* \
      "$ROOT/var/lib/loket/"* 2>/dev/null || true
passwd -R "$ROOT" -l root >/dev/null 2>&1 || sed -i 's#^root:[^:]*:#root:*:#' "$ROOT/etc/shadow"
# Only the first boot may be a first boot.
find "$ROOT/var/log" -type f -delete
find "$ROOT" -xdev -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch --no-dereference --date="@$SOURCE_DATE_EPOCH"

if [ "$ARCH" = amd64 ]; then
  step "kernel and initrd for direct boot"
  cp -L "$ROOT/vmlinuz" "$OUT/$NAME-vmlinuz"
  cp -L "$ROOT/initrd.img" "$OUT/$NAME-initrd.img"
fi

# -- 4. partitions, without loop devices ---------------------------------------------------------
step "boot partition (vfat, mtools)"
BOOT_MB=256
BOOT_IMG=$WORK/boot.img
VOLID=$(printf '%08x' $(( SOURCE_DATE_EPOCH & 0xffffffff )))
mkfs.vfat -F 32 -n LOKET-BOOT -i "$VOLID" --invariant -C "$BOOT_IMG" $(( BOOT_MB * 1024 )) >/dev/null
export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0
if [ -d "$ROOT/boot/firmware" ] && [ -n "$(ls -A "$ROOT/boot/firmware")" ]; then
  ( cd "$ROOT/boot/firmware"
    find . -mindepth 1 -type d | LC_ALL=C sort | while read -r d; do mmd -i "$BOOT_IMG" "::${d#.}"; done
    find . -type f | LC_ALL=C sort | while read -r f; do mcopy -m -i "$BOOT_IMG" "$f" "::${f#.}"; done )
else
  # genimage and some tools refuse an empty vfat; keep a note there instead.
  printf 'Loket %s (%s): this partition is unused on this architecture.\n' "$VERSION" "$ARCH" > "$WORK/README.TXT"
  touch --date="@$SOURCE_DATE_EPOCH" "$WORK/README.TXT"
  mcopy -m -i "$BOOT_IMG" "$WORK/README.TXT" ::/README.TXT
fi
# The rootfs keeps an empty mount point; the files live on the vfat partition.
find "$ROOT/boot/firmware" -mindepth 1 -delete 2>/dev/null || true

step "root partition (mkfs.ext4 -d)"
USED_MB=$(du -sm --apparent-size "$ROOT" | cut -f1)
ROOT_MB=$(( (USED_MB * 13 / 10 + 512 + 63) / 64 * 64 ))   # room for the shop's data; grow: see README
ROOT_IMG=$WORK/root.img
UUID=$(printf '%s' "loket-root-$SOURCE_DATE_EPOCH-$ARCH" | sha256sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
SEED=$(printf '%s' "loket-seed-$SOURCE_DATE_EPOCH-$ARCH" | sha256sum | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L loket-root -U "$UUID" \
  -E "hash_seed=$SEED,lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0" \
  -O ^metadata_csum_seed -d "$ROOT" "$ROOT_IMG" "${ROOT_MB}M"
# mkfs.ext4 -d copies each file's ctime (the time of this build; it cannot be
# set on the host) and atime (reading a file moves it): set both to
# SOURCE_DATE_EPOCH in the image.
( cd "$ROOT" && find . -printf '%P\n' ) | LC_ALL=C sort |
  awk -v t="@$SOURCE_DATE_EPOCH" '{ printf "sif \"/%s\" ctime %s\nsif \"/%s\" atime %s\n", $0, t, $0, t }' \
  > "$WORK/times.cmds"
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$WORK/times.cmds" "$ROOT_IMG" >/dev/null 2>"$WORK/debugfs.err" ||
  { cat "$WORK/debugfs.err" >&2; exit 1; }

step "disk image (sfdisk)"
IMG=$WORK/$NAME.img
START=8192   # 4 MiB: aligned to SD-card erase blocks
BOOT_SECTORS=$(( BOOT_MB * 2048 ))
ROOT_START=$(( START + BOOT_SECTORS ))
ROOT_SECTORS=$(( ROOT_MB * 2048 ))
truncate -s $(( (ROOT_START + ROOT_SECTORS) * 512 )) "$IMG"
# MBR: the Pi 3's boot ROM reads nothing else.
sfdisk -q --no-reread --no-tell-kernel "$IMG" <<EOF
label: dos
label-id: 0x$VOLID
unit: sectors

start=$START, size=$BOOT_SECTORS, type=c, bootable
start=$ROOT_START, size=$ROOT_SECTORS, type=83
EOF
dd if="$BOOT_IMG" of="$IMG" bs=512 seek=$START conv=notrunc,sparse status=none
dd if="$ROOT_IMG" of="$IMG" bs=512 seek=$ROOT_START conv=notrunc,sparse status=none
rm -f "$BOOT_IMG" "$ROOT_IMG"

step "bmap, compression, checksums"
bmaptool -q create -o "$OUT/$NAME.img.bmap" "$IMG"
zstd -q -f -T0 -12 "$IMG" -o "$OUT/$NAME.img.zst"
if [ "${LOKET_KEEP_RAW:-}" = 1 ]; then mv "$IMG" "$OUT/$NAME.img"; fi
( cd "$OUT" && sha256sum "$NAME.img.zst" "$NAME.img.bmap" $( [ "$ARCH" = amd64 ] && echo "$NAME-vmlinuz $NAME-initrd.img") > "$NAME.SHA256SUMS" )
step "done: $OUT/$NAME.img.zst ($(du -h "$OUT/$NAME.img.zst" | cut -f1); raw $(( (ROOT_START + ROOT_SECTORS) / 2048 )) MiB)"
cat "$OUT/$NAME.SHA256SUMS"
