#!/usr/bin/env bash
# Copies every file under testdata/ into the cargo-fuzz corpus of each target.
set -euo pipefail
cd "$(dirname "$0")"
for target in yaml_pipeline sources config; do
  mkdir -p "corpus/$target"
  find ../testdata -type f -exec cp -t "corpus/$target" {} +
done
