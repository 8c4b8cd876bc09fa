#!/bin/bash
# Run one libFuzzer target for a bounded time on a scratch copy of its seed
# corpus; prints TAP. usage: run.sh FUZZER NAME SECONDS
set -u
exe=$1 name=$2 secs=$3
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/srfd-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/crash"
if [ -d "$src/corpus/$name" ]; then cp "$src/corpus/$name"/* "$work/corpus/"; fi
if [ "$name" = config ]; then cp "$src"/../../etc/*.conf "$work/corpus/"; fi
dict=()
if [ -f "$src/$name.dict" ]; then dict=(-dict="$src/$name.dict"); fi

echo "1..1"
LSAN_OPTIONS="suppressions=$src/lsan.supp" \
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" "$exe" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/crash/" "$work/corpus" \
	>"$work/log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
n=$(find "$work/corpus" -type f | wc -l)
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - fuzz_$name: ${execs:-?} inputs in $secs s, ${cov:-cov: ?} edges, corpus $n, no finding"
	exit 0
fi
echo "not ok 1 - fuzz_$name: exit $rc after ${execs:-?} inputs"
tail -60 "$work/log" | sed 's/^/# /'
for f in "$work"/crash/*; do
	[ -f "$f" ] || continue
	echo "# input that failed ($(basename "$f"), base64):"
	base64 "$f" | sed 's/^/# /'
done
exit 1
