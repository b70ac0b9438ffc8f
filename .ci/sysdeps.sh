#!/usr/bin/env bash
# Debian packages budgetkg's tests and demo need, installed only when missing.
set -euo pipefail
need=()
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "budgetkg: please install: ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
