#!/usr/bin/env bash
# Seeds the cargo-fuzz corpus of each target with every file under testdata/ (below 1 MB), each
# named by the SHA-1 of its content as libFuzzer names its own inputs (many seeds share a name).
set -euo pipefail
cd "$(dirname "$0")"
for target in yaml_pipeline sources config kustomize list_page; do
  mkdir -p "corpus/$target"
  find ../testdata -type f -size -1000k -print0 | while IFS= read -r -d '' seed; do
    cp "$seed" "corpus/$target/$(sha1sum <"$seed" | cut -c1-40)"
  done
done
