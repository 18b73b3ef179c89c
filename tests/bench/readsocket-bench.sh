#!/usr/bin/env bash
# Side-by-side readsocket benchmark, one run, same client: the seed's socat listener (appends to a
# file, never answers), a bare C accept/read/reply/close loop (the floor), and the agent with
# durable (fsync) acknowledgements over TCP and the unix socket, plus the agent in Write mode.
# Usage: tests/bench/readsocket-bench.sh [CLIENTS] [SECONDS]   (defaults 8 and 10; WARMUP=3 seconds of
# unmeasured load on each agent endpoint first, so the rows measure tiered-up code, not the JIT)
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-8}
seconds=${2:-10}
work=$(mktemp -d /tmp/kk-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

command -v socat >/dev/null || { echo "needs socat (apt-get install socat)"; exit 1; }
for p in tests/KarmaKit.Benchmarks reporter/KarmaKit.Reporter; do dotnet build "$p" -c Release --nologo -v quiet >/dev/null; done
cc -O2 -pthread -o "$work/bare-server" tests/bench/bare-server.c
load() { dotnet artifacts/bin/KarmaKit.Benchmarks/release/KarmaKit.Benchmarks.dll readsocket --clients "$clients" --seconds "$seconds" "$@"; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened"; exit 1; }
agent() { # $1 port, $2 durability
  dotnet artifacts/bin/KarmaKit.Reporter/release/karmakit-reporter.dll run --Reporter:Tcp=127.0.0.1:"$1" \
    --Reporter:UnixSocket="$work/agent-$1.sock" --Reporter:Spool="$work/spool-$1" --Reporter:Journal:Durability="$2" \
    --Reporter:CollectorUrl=http://127.0.0.1:9/ --Logging:LogLevel:Default=Error >"$work/agent-$1.log" 2>&1 &
  pids+=($!)
  wait_port "$1"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $clients clients, ${seconds}s each"
socat -u TCP4-LISTEN:7441,bind=127.0.0.1,reuseaddr,fork,backlog=1024 OPEN:"$work/karma.log",creat,append & pids+=($!)
"$work/bare-server" 7442 & pids+=($!)
wait_port 7441; wait_port 7442
agent 7443 Fsync
agent 7444 Write
agent_pid=${pids[2]}

# A running agent has been up for days: let the JIT tier the hot path up (about 3 s of load an agent) before any row.
warm=${WARMUP:-3}
for t in inet:127.0.0.1:7443 "$work/agent-7443.sock" inet:127.0.0.1:7444; do
  dotnet artifacts/bin/KarmaKit.Benchmarks/release/KarmaKit.Benchmarks.dll readsocket --clients "$clients" --seconds "$warm" --target "$t" >/dev/null
done

load --target inet:127.0.0.1:7441 --label "socat (seed, no reply)"
load --target inet:127.0.0.1:7442 --label "bare C loop (floor)"
load --target inet:127.0.0.1:7443 --label "agent tcp fsync"
load --target "$work/agent-7443.sock" --label "agent unix fsync"
load --target inet:127.0.0.1:7444 --label "agent tcp write"
load --target inet:127.0.0.1:7443 --no-shutdown --label "agent tcp fsync shutdown=no"
echo "agent (fsync) peak RSS: $(grep VmHWM /proc/"$agent_pid"/status | awk '{print $2/1024 " MB"}')"
echo "agent (fsync) spool: $(du -sh "$work/spool-7443" | cut -f1)"
