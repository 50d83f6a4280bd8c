#!/usr/bin/env bash
# Test a checkpoint with NPROC processes per node, started by torchrun
# (--launcher pytorch); metrics are gathered on rank 0.
#
# Usage: tools/dist_test.sh CONFIG CHECKPOINT NPROC [test.py args...]
# Environment (the same values on every node, except NODE_RANK):
#   NNODES       number of nodes                                (default 1)
#   NODE_RANK    this node's index, 0 .. NNODES-1               (default 0)
#   MASTER_ADDR  address of node 0, reachable from every node   (default 127.0.0.1)
#   PORT         free TCP port on node 0 for the rendezvous     (default 29500)
#   PYTHON       interpreter that has torch and inpaintzoo      (default python)
# See docs/distributed.md.
set -euo pipefail
if [ "$#" -lt 3 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$ROOT:${PYTHONPATH:-}" exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --nproc_per_node="$NPROC" \
    --master_addr="$MASTER_ADDR" --master_port="$PORT" \
    "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
