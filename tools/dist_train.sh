#!/usr/bin/env bash
# Train with NPROC processes per node, started by torchrun (--launcher pytorch).
#
# Usage: tools/dist_train.sh CONFIG NPROC [train.py args...]
# Environment (the same values on every node, except NODE_RANK):
#   NNODES       number of nodes                                (default 1)
#   NODE_RANK    this node's index, 0 .. NNODES-1               (default 0)
#   MASTER_ADDR  address of node 0, reachable from every node   (default 127.0.0.1)
#   PORT         free TCP port on node 0 for the rendezvous     (default 29500)
#   PYTHON       interpreter that has torch and inpaintzoo      (default python)
# Two nodes with 4 GPUs each (run one command on each node):
#   node 0: NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 4
#   node 1: NNODES=2 NODE_RANK=1 MASTER_ADDR=10.0.0.1 tools/dist_train.sh CONFIG 4
# The effective batch is NNODES x NPROC x train_dataloader.batch_size.
# See docs/distributed.md.
set -euo pipefail
if [ "$#" -lt 2 ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PYTHON=${PYTHON:-python}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$ROOT:${PYTHONPATH:-}" exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --nproc_per_node="$NPROC" \
    --master_addr="$MASTER_ADDR" --master_port="$PORT" \
    "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}"
