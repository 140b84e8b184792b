#!/usr/bin/env bash
# Writes services/company/internal/domain/common_passwords.txt, the list of
# common passwords new passwords are checked against: the 10,000 most common
# entries of the password frequency list in the npm package zxcvbn (MIT,
# Dropbox, Inc.), most common first. The file is committed; run this only to
# change the source or the count.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.4.2
COUNT=10000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "zxcvbn@$VERSION" >/dev/null && tar xzf "zxcvbn-$VERSION.tgz")
node -e '
const lists = require(process.argv[1]);
const n = Number(process.argv[2]);
process.stdout.write(lists.passwords.slice(0, n).join("\n") + "\n");
' "$work/package/lib/frequency_lists.js" "$COUNT" >services/company/internal/domain/common_passwords.txt
wc -l services/company/internal/domain/common_passwords.txt
