#!/bin/sh
# deps.sh -- install every Debian package escalator needs to build, test
# and run its demo.  Idempotent: installs only what is missing, and runs
# apt-get update only then.  Uses sudo when not run as root.
set -eu

PACKAGES="
gcc make autoconf automake pkg-config
libetpan-dev libcurl4-gnutls-dev libgnutls28-dev libxml2-dev
libsqlite3-dev libjansson-dev
tzdata ca-certificates time mandoc jq sqlite3 libxml2-utils
dovecot-imapd openssl procps isync
postfix libio-socket-ssl-perl python3
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing" >&2
	echo "deps: run this script as root, or install sudo" >&2
	exit 1
fi

echo "deps: installing$missing"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
