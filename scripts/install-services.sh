#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real: PostgreSQL, Mosquitto, Chromium, and a
# CJK font with poppler-utils for the supervision PDFs.
# Where they cannot be installed (not root, no apt), it says so; the tests that need them then
# skip with a message naming what is missing.
set -u
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# A CJK font for supervision PDFs and pdftotext/pdftoppm to read them back in tests.
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-services: cannot install ${need[*]} (needs root and apt-get); tests using them will skip."
  exit 0
fi
echo "install-services: installing ${need[*]} from Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null \
  || echo "install-services: apt-get install ${need[*]} failed; tests using them will skip."
# The package starts its own broker/cluster; the tests start private ones on free ports instead.
systemctl disable --now mosquitto >/dev/null 2>&1 || service mosquitto stop >/dev/null 2>&1 || true
exit 0
