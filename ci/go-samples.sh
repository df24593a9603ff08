#!/usr/bin/env bash
# The Go support library (samples/go/), certified by the kit: build, go test, then start the Go shopping
# cart and the Go TCK model entity on free ports and run `tck user-function` against each
# (--subject shopping-cart, --subject model). Fails on any failure, a skipped or not-run scenario included;
# prints each kit summary line. Needs go on PATH (no silent skip: without it this fails).
# The binaries go to a temporary folder; Go's build cache (GOCACHE, default ~/.cache/go-build) makes a
# second run cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# How long a Go main may take to say it is listening, in seconds.
start_timeout=${GO_SAMPLES_START_TIMEOUT:-30}
if [[ ! $start_timeout =~ ^[1-9][0-9]*$ ]]; then
  echo "go-samples: invalid GO_SAMPLES_START_TIMEOUT \"$start_timeout\": expected a whole number of seconds ≥ 1" >&2
  exit 2
fi

if ! command -v go >/dev/null 2>&1; then
  echo "go-samples: FAILED: go is not on PATH; the Go samples cannot be built or certified" >&2
  exit 1
fi
echo "== go-samples: $(go version)"

work=$(mktemp -d "${TMPDIR:-/tmp}/go-samples.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root/samples/go"
echo "== go-samples: go build ./... and go vet ./..."
go build ./...
go vet ./...
echo "== go-samples: go test ./..."
go test -count=1 ./...
go build -o "$work/bin/" ./cmd/shopping-cart ./cmd/tck-model
# gen/ is committed; where the generators are installed, check it is what generate.sh makes of proto/ now.
gobin="$(go env GOPATH)/bin"
if command -v protoc >/dev/null 2>&1 && [ -x "$gobin/protoc-gen-go" ] && [ -x "$gobin/protoc-gen-go-grpc" ]; then
  bash generate.sh "$work/gen" >/dev/null
  # The version header names the local protoc; the code must be the same.
  if ! diff -r -I '^// .*protoc' gen "$work/gen" >"$work/gen.diff"; then
    echo "go-samples: FAILED: samples/go/gen/ is not what samples/go/generate.sh makes of proto/; rerun it and commit gen/:" >&2
    cat "$work/gen.diff" >&2
    exit 1
  fi
  echo "== go-samples: gen/ is current ($(protoc --version), $("$gobin/protoc-gen-go" --version), $("$gobin/protoc-gen-go-grpc" --version))"
else
  echo "== go-samples: gen/ freshness not checked (protoc, protoc-gen-go or protoc-gen-go-grpc not installed; see samples/go/README.md)"
fi
cd "$root"

# start NAME BINARY: runs it on a free loopback port and sets $address from its "listening on" line.
start() {
  local name=$1 binary=$2
  mkfifo "$work/$name.fifo"
  "$binary" --host 127.0.0.1 --port 0 >"$work/$name.fifo" 2>&1 &
  pids+=("$!")
  exec {fd}<"$work/$name.fifo"
  local line=""
  if ! read -r -t "$start_timeout" -u "$fd" line || [[ ! $line =~ listening\ on\ ([^ ]+) ]]; then
    echo "go-samples: FAILED: the Go $name did not say 'listening on' within $start_timeout s (GO_SAMPLES_START_TIMEOUT); it said: $line" >&2
    exit 1
  fi
  address=${BASH_REMATCH[1]}
  # Keep draining its output (the stop messages) into a log.
  cat <&"$fd" >"$work/$name.log" &
  exec {fd}<&-
  echo "== go-samples: $line"
}

failed=0
# certify NAME SUBJECT ADDRESS: runs the kit, prints its summary line, fails on a failure or a skip.
certify() {
  local name=$1 subject=$2 target=$3 out="$work/kit-$2.txt"
  local code=0
  node tck/bin/tck.js user-function --target "$target" --subject "$subject" >"$out" 2>&1 || code=$?
  local summary
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 || true)
  echo "go-samples: Go $name, --subject $subject: ${summary:-no summary line}"
  if [ "$code" -ne 0 ] || [[ ! $summary =~ ^[0-9]+\ passed,\ 0\ failed$ ]] || [ "${summary%% *}" = 0 ]; then
    echo "go-samples: FAILED: the kit's verdict on the Go $name (exit code $code; expected N passed, 0 failed, nothing skipped or not run):" >&2
    cat "$out" >&2
    failed=1
  fi
}

start shopping-cart "$work/bin/shopping-cart"
certify shopping-cart shopping-cart "$address"
start tck-model "$work/bin/tck-model"
certify tck-model model "$address"

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "== go-samples: both Go user functions certified"
