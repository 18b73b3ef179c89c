#!/usr/bin/env bash
# Runs KarmaKit on its embedded loopback defaults, with every file under ./run/ instead of /var and /run:
# the reporter answers Exim's readsocket on 127.0.0.1:4444 and ./run/reporter.sock, spools in ./run/spool,
# and ships to the collector URL http://127.0.0.1:8440/. Ctrl-C stops it; the spool keeps what was not delivered.
set -euo pipefail
cd "$(dirname "$0")"
state="$PWD/run"
mkdir -p "$state"
dotnet build reporter/KarmaKit.Reporter -c Release --nologo -v quiet
exec dotnet artifacts/bin/KarmaKit.Reporter/release/karmakit-reporter.dll run \
  --Reporter:Spool="$state/spool" \
  --Reporter:UnixSocket="$state/reporter.sock" \
  "$@"
