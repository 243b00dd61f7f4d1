#!/usr/bin/env bash
# Installs the system packages the test suite drives for real: Debian's chromium (browser tests),
# PostgreSQL 15 server binaries (the multi-user store) and its RUM extension (ranked full-text
# search). Idempotent; quiet when all is there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
# RUM for every installed PostgreSQL major version (postgresql alone pulls in the default one).
majors=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sed 's#/usr/lib/postgresql/\([0-9]*\)/bin#\1#')
[ -z "$majors" ] && majors=15
for major in $majors; do
  [ -e "/usr/share/postgresql/$major/extension/rum.control" ] || need+=("postgresql-$major-rum")
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${need[*]}; run 'sudo apt-get install ${need[*]}'" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
