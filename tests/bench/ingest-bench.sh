#!/usr/bin/env bash
# Ingest benchmark (issue 3): 4 reporters, each with its own token, post batches of 500 reports back to back to a
# durable collector (child process over a fresh temp directory; fdatasync before every 200) and the tool prints
# reports/s, batches/s, batch latency p50/p99, CPU of both sides and the collector's peak RSS, then checks that
# karma.log holds exactly the accepted reports. The client runs on the same machine and takes its share of the CPU.
# Usage: tests/bench/ingest-bench.sh [SECONDS] [extra ingest options, e.g. --inflight 2 or --url URL --reporter N=T ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
shift || true
dotnet build tests/KarmaKit.Benchmarks -c Release --nologo -v quiet >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "karma.log on: $(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $1, $2}')"
dotnet artifacts/bin/KarmaKit.Benchmarks/release/KarmaKit.Benchmarks.dll ingest --reporters 4 --batch 500 --warmup 10 --seconds "$seconds" "$@"
