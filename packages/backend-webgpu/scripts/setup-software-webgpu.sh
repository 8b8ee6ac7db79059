#!/bin/sh
# A copy of ../shared/tools/setup-software-webgpu.sh, used by .ci/run when the shared folder is absent.
# Installs a software Vulkan driver (Mesa 25 lavapipe, from Debian bookworm-backports)
# so that Dawn (the `webgpu` npm package) finds a WebGPU adapter on a machine without a GPU.
# Stock bookworm Mesa 22 lavapipe is rejected by Dawn; Mesa 25 works.
# Leaves the system's apt configuration alone: everything goes under $DEST.
# Usage: eval "$(sh setup-software-webgpu.sh)"   -> exports VK_ICD_FILENAMES
set -eu
DEST=${DEST:-/tmp/tessera-lavapipe}
MESA_VERSION=${MESA_VERSION:-25.0.7-2~bpo12+1}
ICD="$DEST/lvp_icd.json"
if [ -f "$ICD" ] && [ -f "$DEST/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" ]; then
  echo "export VK_ICD_FILENAMES=$ICD"; exit 0
fi
# The Vulkan loader and LLVM runtime come from the stable suite.
if ! ldconfig -p | grep -q 'libvulkan.so.1' || ! ldconfig -p | grep -q 'libLLVM-15'; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    libvulkan1 libllvm15 libdrm2 libxcb-dri3-0 libxcb-present0 libxcb-randr0 libxcb-shm0 libxcb-sync1 \
    libxcb-xfixes0 libxshmfence1 libx11-xcb1 libwayland-client0 libzstd1 libexpat1 >&2
fi
# Reuse the mirror this machine already uses for Debian, with the backports suite.
MIRROR=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$MIRROR" ] || MIRROR=$(awk '/^deb / && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$MIRROR" ] || { echo "no Debian mirror found in the apt sources" >&2; exit 1; }
mkdir -p "$DEST/apt/lists/partial" "$DEST/apt/cache/archives/partial" "$DEST/root"
echo "deb $MIRROR bookworm-backports main" > "$DEST/apt/sources.list"
APTO="-o Dir::Etc::sourcelist=$DEST/apt/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$DEST/apt/lists -o Dir::Cache=$DEST/apt/cache"
# shellcheck disable=SC2086
apt-get $APTO update -qq >&2
# shellcheck disable=SC2086
(cd "$DEST" && apt-get $APTO download "mesa-vulkan-drivers=$MESA_VERSION" >&2)
dpkg-deb -x "$DEST"/mesa-vulkan-drivers_*.deb "$DEST/root"
printf '{"file_format_version":"1.0.0","ICD":{"api_version":"1.4.305","library_path":"%s"}}\n' \
  "$DEST/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so" > "$ICD"
echo "export VK_ICD_FILENAMES=$ICD"
