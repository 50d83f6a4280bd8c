#!/usr/bin/env bash
# Test a checkpoint on a slurm cluster: one srun task per GPU, each running
# tools/test.py with --launcher slurm; metrics are gathered on rank 0.
#
# Usage: tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
# Environment:
#   GPUS           total number of tasks (GPUs) over all nodes   (default 8)
#   GPUS_PER_NODE  tasks (GPUs) per node                         (default 8, at most GPUS)
#   CPUS_PER_TASK  CPU cores per task, for the data loaders       (default 5)
#   SRUN_ARGS      extra srun options
#   MASTER_PORT    rendezvous port on the first node             (default 29500)
#   PYTHON         interpreter that has torch and inpaintzoo     (default python)
#   GRES           generic resources per node (default gpu:GPUS_PER_NODE; GRES= for
#                  CPU-only nodes, which then train with gloo)
# Example: GPUS=4 tools/slurm_test.sh gpu hint-test CONFIG work_dirs/x/iter_300000.pth \
#     --out metrics.json
set -euo pipefail
if [ "$#" -lt 4 ]; then
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
shift 4
exec bash "$(dirname "$0")/slurm_srun.sh" "$PARTITION" "$JOB_NAME" tools/test.py \
    "$CONFIG" "$CHECKPOINT" --launcher slurm "$@"
