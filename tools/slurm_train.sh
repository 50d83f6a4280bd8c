#!/usr/bin/env bash
# Train on a slurm cluster: one srun task per GPU, each running tools/train.py
# with --launcher slurm (ranks, world size and master node come from SLURM_*).
#
# Usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]
#   WORK_DIR is taken as the work dir when it does not start with '-'.
# Environment:
#   GPUS           total number of tasks (GPUs) over all nodes   (default 8)
#   GPUS_PER_NODE  tasks (GPUs) per node                         (default 8, at most GPUS)
#   CPUS_PER_TASK  CPU cores per task, for the data loaders       (default 5)
#   SRUN_ARGS      extra srun options, e.g. "--quotatype=auto --time=72:00:00"
#   MASTER_PORT    rendezvous port on the first node             (default 29500)
#   PYTHON         interpreter that has torch and inpaintzoo     (default python)
#   GRES           generic resources per node (default gpu:GPUS_PER_NODE; GRES= for
#                  CPU-only nodes, which then train with gloo)
# Example: GPUS=16 GPUS_PER_NODE=8 tools/slurm_train.sh gpu hint \
#     configs/hint/hint_1xb4-300k_places2-256x256.py work_dirs/hint_16gpu
set -euo pipefail
if [ "$#" -lt 3 ]; then
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
EXTRA=()
if [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; then
    EXTRA=(--work-dir "$1")
    shift
fi
exec bash "$(dirname "$0")/slurm_srun.sh" "$PARTITION" "$JOB_NAME" tools/train.py \
    "$CONFIG" "${EXTRA[@]}" --launcher slurm "$@"
