#!/usr/bin/env bash
# Shared by tools/slurm_train.sh and tools/slurm_test.sh (not meant to be called
# directly): srun one task per GPU, each running `$PYTHON -u SCRIPT ARGS...`.
#
# Usage: tools/slurm_srun.sh PARTITION JOB_NAME SCRIPT [args...]
# Environment: GPUS, GPUS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS, PYTHON, GRES (see the
# two callers for their meaning and defaults).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
shift 3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
PYTHON=${PYTHON:-python}
GRES=${GRES-gpu:$GPUS_PER_NODE}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# SRUN_ARGS is split on spaces on purpose: it holds several options
# shellcheck disable=SC2086
PYTHONPATH="$ROOT:${PYTHONPATH:-}" exec srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    ${GRES:+--gres="$GRES"} \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$ROOT/$SCRIPT" "$@"
