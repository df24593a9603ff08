#!/usr/bin/env bash
# Regenerates gen/ (committed) from the shared protos in ../../proto, without editing them
# (`generate.sh DIR` writes to DIR instead: ci/go-samples.sh uses that to check gen/ is current):
# go_package comes from protoc's M flags below.
# Tools: protoc from Debian's protobuf-compiler (apt-get install protobuf-compiler),
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
set -euo pipefail
cd "$(dirname "$0")"
PATH="$(go env GOPATH)/bin:$PATH"
mod=example.com/serverless-go/gen
maps=(
  "lightbend/serverless/protocol.proto=$mod/serverlesspb"
  "lightbend/serverless/entitykey.proto=$mod/serverlesspb"
  "shoppingcart/shoppingcart.proto=$mod/shoppingcartpb"
  "shoppingcart/domain.proto=$mod/cartpersistencepb"
  "tck/model.proto=$mod/modelpb"
)
go_opts=(); grpc_opts=()
for m in "${maps[@]}"; do go_opts+=("--go_opt=M$m"); grpc_opts+=("--go-grpc_opt=M$m"); done
out=${1:-gen}
rm -rf "$out"
mkdir -p "$out"
protoc -I ../../proto \
  --go_out="$out" --go_opt=module="$mod" "${go_opts[@]}" \
  --go-grpc_out="$out" --go-grpc_opt=module="$mod" "${grpc_opts[@]}" \
  lightbend/serverless/protocol.proto lightbend/serverless/entitykey.proto \
  shoppingcart/shoppingcart.proto shoppingcart/domain.proto tck/model.proto
echo "generated in $out: $(cd "$out" && find . -name '*.go' | sort | tr '\n' ' ')"
