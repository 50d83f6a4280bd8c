#!/usr/bin/env bash
# Gather, on a machine with package-registry access, what the GPU machine of the
# `device` tool lacks for tools/analysis/gpu_check.sh (it has python3 3.12, torch,
# CUDA's nvcc, pytest, but no network):
#   DIR/wheels  pure-Python wheels of our runtime requirements missing there
#               (versions from requirements/constraints.txt)
#   DIR/sdists  the mamba-ssm and causal-conv1d sources (PyPI has no wheels;
#               gpu_check.sh builds them there)
# Usage: bash tools/analysis/gpu_bundle.sh [DIR]     (default .device, git-ignored)
# Then carry DIR to the GPU machine and run gpu_check.sh there (docs/benchmarks.md#gpu).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${1:-.device}
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
CONSTRAINTS=requirements/constraints.txt
# missing from the GPU image (device KINDS.md package list, 2026-11-17); the
# others (numpy, scipy, scikit-image, opencv, safetensors, tqdm, rich, pyyaml,
# matplotlib, pillow, torchvision) are there
WHEELS=(mmengine mmcv-lite lpips addict yapf termcolor platformdirs)
# the sources the `mamba` extra builds (requirements/mamba.txt ranges)
SDISTS=(mamba-ssm==2.3.2.post1 causal-conv1d==1.7.0)

pin() {  # NAME -> NAME==VERSION from the constraints file
    local line
    line=$(grep -i -E "^$1==" "$CONSTRAINTS" || true)
    if [ -z "$line" ]; then
        echo "error: $1 is not pinned in $CONSTRAINTS" >&2
        exit 2
    fi
    echo "$line"
}

mkdir -p "$DIR/wheels" "$DIR/sdists"
specs=()
for name in "${WHEELS[@]}"; do specs+=("$(pin "$name")"); done
"$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$DIR/wheels" "${specs[@]}"
# the sdists' build metadata needs torch; skip their CUDA builds here
MAMBA_SKIP_CUDA_BUILD=TRUE CAUSAL_CONV1D_SKIP_CUDA_BUILD=TRUE \
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation \
    -d "$DIR/sdists" "${SDISTS[@]}"
echo "bundle in $DIR ($(du -sh "$DIR" | cut -f1)):"
ls -1 "$DIR/wheels" "$DIR/sdists"
