#!/usr/bin/env bash
# Runs KarmaKit on its embedded loopback defaults, every file under ./run/ instead of /var and /run:
#   collector  http://127.0.0.1:8440, karma.log in run/karma.log, data (reporters.json, lock) in run/collector/
#   reporter   "local", readsocket on 127.0.0.1:4444 and run/reporter.sock, spool in run/spool/, shipping to
#              the collector with a token made by `karmakit-collector reporters add local` on the first run
#              and kept in run/reporter.token (mode 0600) for the next ones; an admin token for the operator
#              commands (lookup, allow, delist, stats) in run/admin.token.
# Ctrl-C stops both; the spool keeps whatever the collector has not acknowledged yet.
#
# Arguments: --Collector:Key=value goes to the collector, anything else to the reporter
# (./run-local.sh --Reporter:Tcp=127.0.0.1:5555 --Collector:Http=http://127.0.0.1:8441).
# Environment: KARMAKIT_RUN_DIR (default ./run) moves the state; KARMAKIT_NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
run=$(mkdir -p "${KARMAKIT_RUN_DIR:-$root/run}" && cd "${KARMAKIT_RUN_DIR:-$root/run}" && pwd)
name=local

collector_args=()
reporter_args=()
http=http://127.0.0.1:8440
tcp=127.0.0.1:4444
for arg in "$@"; do
  case $arg in
    --Collector:*) collector_args+=("$arg") ;;
    *) reporter_args+=("$arg") ;;
  esac
  case $arg in
    --Collector:Http=*) http=${arg#--Collector:Http=} ;;
    --Reporter:Tcp=*) tcp=${arg#--Reporter:Tcp=} ;;
  esac
done

if [[ ${KARMAKIT_NO_BUILD:-} != 1 ]]; then
  echo "building collector and reporter (Release)..."
  dotnet build collector/KarmaKit.Collector -c Release --nologo -v quiet >/dev/null
  dotnet build reporter/KarmaKit.Reporter -c Release --nologo -v quiet >/dev/null
fi
collector_dll=$root/artifacts/bin/KarmaKit.Collector/release/karmakit-collector.dll
reporter_dll=$root/artifacts/bin/KarmaKit.Reporter/release/karmakit-reporter.dll

# Each program reads its own (initially empty) file here, never /etc/karmakit: edit them to try settings.
for f in collector reporter; do [[ -f $run/$f.json ]] || echo '{}' >"$run/$f.json"; done
# The operator's admin token (lookup, allow, delist, stats): made once, kept in run/admin.token (mode 0600); the
# collector gets only its SHA-256.
admin_token_file=$run/admin.token
if [[ ! -s $admin_token_file ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$admin_token_file.new")
  mv "$admin_token_file.new" "$admin_token_file"
  echo "made an admin token in $admin_token_file"
fi
admin_hash=$(tr -d '\n' <"$admin_token_file" | sha256sum | cut -d' ' -f1)
# ListDocumentationRanges: a local try reports 192.0.2.x / 2001:db8:: clients, which production never lists.
collector_opts=(--config "$run/collector.json" --Collector:Data="$run/collector" --Collector:Log="$run/karma.log"
  --Collector:Policy:ListDocumentationRanges=true --Collector:Admin:Token="sha256:$admin_hash" "${collector_args[@]}")
collector() { dotnet "$collector_dll" "$@" "${collector_opts[@]}"; }

# The token: made once, shown by `reporters add` once, kept for the next runs. A lost token file or
# collector data directory: make a new one.
token_file=$run/reporter.token
known=$(collector reporters list)
if [[ ! -s $token_file || $'\n'$known$'\n' != *$'\n'$name$'\t'* ]]; then
  collector reporters revoke "$name" >/dev/null 2>&1 || true
  (umask 077 && collector reporters add "$name" >"$token_file.new" 2>/dev/null)
  mv "$token_file.new" "$token_file"
  echo "made a token for reporter '$name' in $token_file"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  # Reporter first, so it is not left retrying against a collector that is already gone.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  echo "stopped; state kept in $run"
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

dotnet "$collector_dll" run "${collector_opts[@]}" >>"$run/collector.out" 2>&1 &
pids+=($!)
# GET /healthz with bash alone (no curl on a fresh Debian); curl only for an https:// collector.
healthy() {
  if [[ $http == https://* ]]; then curl -kfsS -o /dev/null "$http/healthz" 2>/dev/null; return; fi
  local hostport=${http#http://}
  hostport=${hostport%%/*}
  local host=${hostport%:*} port=${hostport##*:}
  host=${host#[}
  host=${host%]}
  (exec 3<>"/dev/tcp/$host/$port" && printf 'GET /healthz HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" >&3 \
    && read -r _ status _ <&3 && [[ $status == 200 ]]) 2>/dev/null
}
for _ in $(seq 300); do
  healthy && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "the collector did not start:"; tail -n 20 "$run/collector.out"; exit 1; }
  sleep 0.1
done
healthy || { echo "the collector is not healthy at $http:"; tail -n 20 "$run/collector.out"; exit 1; }

# Exim (as Debian-exim) may use the unix socket too when we can give it that group; TCP works for it anyway.
socket_group=()
if [[ $(id -u) == 0 ]] && getent group Debian-exim >/dev/null; then
  socket_group=(--Reporter:Listener:UnixSocketGroup=Debian-exim)
fi
KARMAKIT_Reporter__Token=$(<"$token_file") dotnet "$reporter_dll" run --config "$run/reporter.json" \
  --Reporter:Name="$name" --Reporter:CollectorUrl="$http/" --Reporter:Spool="$run/spool" \
  --Reporter:UnixSocket="$run/reporter.sock" "${socket_group[@]}" "${reporter_args[@]}" >>"$run/reporter.out" 2>&1 &
pids+=($!)
host=${tcp%:*}
port=${tcp##*:}
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || { echo "the reporter did not start:"; tail -n 20 "$run/reporter.out"; exit 1; }
  sleep 0.1
done

cat <<EOF

KarmaKit is running on loopback (Ctrl-C stops both).
  collector  $http  -> karma.log: $run/karma.log   (output: $run/collector.out)
  reporter   $name on $tcp and $run/reporter.sock, spool $run/spool   (output: $run/reporter.out)

Send a first report by hand, as Exim's readsocket would, and watch it land:
  printf 'black 192.0.2.1 virus Eicar-Test-Signature\n' | socat - TCP:$tcp      # -> ok <spool id>
  tail -f $run/karma.log
  dotnet $reporter_dll status --Reporter:Spool=$run/spool

Look it up, allow or delist it as the operator (admin token in $admin_token_file):
  dotnet $collector_dll lookup 192.0.2.1 --token-file $admin_token_file --Collector:Http=$http
  dotnet $collector_dll delist 192.0.2.1 --for 1h --token-file $admin_token_file --Collector:Http=$http
  dotnet $collector_dll allow 192.0.2.0/24 --reason 'local test' --for 1d --token-file $admin_token_file --Collector:Http=$http
EOF

# Either program ending on its own ends the run (and stops the other).
set +e
wait -n "${pids[@]}"
status=$?
echo "a program exited with status $status; stopping"
exit "$status"
