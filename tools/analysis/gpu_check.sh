#!/usr/bin/env bash
# Every GPU check of the performance work in one call of the `device` tool
# (docs/benchmarks.md#gpu), inside a time budget:
#   env      torch / CUDA / GPU / compiler versions           -> OUT/env.txt
#   build    mamba-ssm + causal-conv1d from BUNDLE/sdists, in the background
#            (new process session) while the next stages run  -> OUT/mamba_build.log
#   pytest   `pytest -m gpu` on the PyTorch path              -> OUT/pytest_gpu.log
#   fp32     forward latency of every config, fp32, with its
#            GFLOP/s and share of the matmul peak             -> OUT/<model>_fp32.json
#   bf16     the same under bf16 autocast (error vs fp32)     -> OUT/<model>_bf16.json
#   mamba    waits for the build; `pytest -m gpu` and the fp32 rows of the Mamba
#            models again with the mamba-ssm kernels          -> OUT/*_mamba*.{log,json}
#   official the official generators against ours, same weights, on the GPU (only with
#            GPU_CHECK_OFFICIAL="arch=checkout ...", e.g. "hint=/path/HINT mxt=/path/MxT";
#            benchmark_official.py; MxT / SEM-Net use the mamba-ssm just built)
#                                                             -> OUT/official_<arch>.json
#   compile  the fp32 rows under torch.compile                -> OUT/<model>_compile.json
# A stage that fails is logged and the next one runs; a stage whose turn comes with
# less than STAGE_MIN seconds left is skipped (OUT/summary.txt says which).
#
# Prepare here (network):  bash tools/analysis/gpu_bundle.sh        (-> .device/)
# Run there (repo root):   GPU_CHECK_PACK=1 bash tools/analysis/gpu_check.sh "$OUT"
#                          (carry .device)
#
# Settings (environment): GPU_CHECK_SECONDS (budget, default 540),
# GPU_CHECK_STAGES (default "env build pytest fp32 bf16 mamba official compile"),
# GPU_CHECK_DEVICE (default cuda), GPU_CHECK_SHAPE (side, default 256),
# GPU_CHECK_RUNS / GPU_CHECK_WARMUP (timed / untimed forwards, default 20 / 5),
# GPU_CHECK_MODELS ("name=config ..." pairs, default the four paper-size models),
# GPU_CHECK_PACK=1 (pack the outputs into OUT/results.tar.gz beside summary.txt:
# the device tool returns at most 8 files), GPU_CHECK_OFFICIAL /
# GPU_CHECK_OFFICIAL_KWARGS (official stage: checkouts, and JSON constructor kwargs
# instead of the paper-size ones), GPU_BUNDLE (default .device), PYTHON (default
# python3).
set -u
cd "$(dirname "$0")/../.."
OUT=${1:-${OUT:-work_dirs/gpu_check}}
BUNDLE=${GPU_BUNDLE:-.device}
PY=${PYTHON:-python3}
BUDGET=${GPU_CHECK_SECONDS:-540}
STAGES=${GPU_CHECK_STAGES:-env build pytest fp32 bf16 mamba official compile}
DEVICE=${GPU_CHECK_DEVICE:-cuda}
SHAPE=${GPU_CHECK_SHAPE:-256}
RUNS=${GPU_CHECK_RUNS:-20}
WARMUP=${GPU_CHECK_WARMUP:-5}
STAGE_MIN=${GPU_CHECK_STAGE_MIN:-20}
MODELS=${GPU_CHECK_MODELS:-hint=configs/hint/hint_1xb4-300k_places2-256x256.py \
mxt=configs/mxt/mxt_places2.py sem_net=configs/sem_net/sem_places2.py \
nclg=configs/nclg/nclg_1xb1-130k_celeba-256x256.py}
MAMBA_MODELS=${GPU_CHECK_MAMBA_MODELS:-mxt sem_net}
MAMBA_SITE=/tmp/inpaintzoo_mamba_site
START=$(date +%s)
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"
BUILD_PID=

# on exit: stop the background build; with GPU_CHECK_PACK=1 (the device tool brings
# back at most 8 files) pack every file but summary.txt into OUT/results.tar.gz
finish() {
    [ -n "$BUILD_PID" ] && kill -- -"$BUILD_PID" 2>/dev/null
    if [ "${GPU_CHECK_PACK:-0}" = 1 ]; then
        local files
        files=$(cd "$OUT" && ls -A | grep -v -x -e summary.txt -e results.tar.gz)
        if [ -n "$files" ]; then
            # shellcheck disable=SC2086
            (cd "$OUT" && tar czf results.tar.gz $files && rm -rf $files)
        fi
    fi
}
trap finish EXIT
trap 'exit 143' TERM INT

left() { echo $((BUDGET - ($(date +%s) - START))); }
log() { echo "[gpu_check +$(($(date +%s) - START))s] $*" | tee -a "$SUMMARY"; }
wanted() { case " $STAGES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# NAME LOG CMD...: run CMD (output to LOG) within the time left; log the result
timed() {
    local name=$1 out=$2
    shift 2
    local limit
    limit=$(($(left) - 5))
    if [ "$limit" -lt "$STAGE_MIN" ]; then
        log "$name: skipped (${limit}s left)"
        return 1
    fi
    local t0=$SECONDS
    timeout "$limit" "$@" >"$out" 2>&1
    local rc=$?
    if [ "$rc" = 0 ]; then
        log "$name: ok ($((SECONDS - t0))s)"
    elif [ "$rc" = 124 ]; then
        log "$name: stopped at the budget ($((SECONDS - t0))s)"
    else
        log "$name: FAILED rc=$rc ($((SECONDS - t0))s)"
    fi
    return "$rc"
}
# FILE PATTERN N: the last N lines of FILE matching PATTERN, indented, into the summary
# (nothing when a skipped stage wrote no FILE)
show() {
    [ -f "$1" ] || return 0
    grep -E -- "$2" "$1" | tail -n "$3" | sed 's/^/    /' | tee -a "$SUMMARY"
}

# the packages the GPU image lacks (gpu_bundle.sh); the repo itself by path
SITE=/tmp/inpaintzoo_site
if ls "$BUNDLE"/wheels/*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" "$BUNDLE"/wheels/*.whl >"$OUT/pip_install.log" 2>&1 \
        || log "wheels: install FAILED (see pip_install.log)"
fi
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1

if wanted env; then
    {
        date -u
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1
        nvcc --version 2>&1 | tail -1
        "$PY" -c 'import sys, torch; print("python", sys.version.split()[0]); print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available()); print("gpu", torch.cuda.get_device_name() if torch.cuda.is_available() else "-")' 2>&1
        "$PY" -c 'import inpaintzoo, mmengine; print("inpaintzoo", inpaintzoo.__version__, "mmengine", mmengine.__version__)' 2>&1
    } >"$OUT/env.txt"
    log "env: $(grep -E '^(torch|gpu) ' "$OUT/env.txt" | tr '\n' ' ')"
fi

if wanted build; then
    if ls "$BUNDLE"/sdists/mamba_ssm-*.tar.gz "$BUNDLE"/sdists/causal_conv1d-*.tar.gz >/dev/null 2>&1; then
        rm -f "$OUT/mamba_build.rc"
        # a new process session: it runs on while the GPU stages below run
        # (stopped when this script ends: finish above)
        setsid env MAMBA_FORCE_BUILD=TRUE CAUSAL_CONV1D_FORCE_BUILD=TRUE \
            TORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" MAX_JOBS="${MAX_JOBS:-10}" \
            bash -c '"$0" -m pip install --no-index --no-deps --no-build-isolation \
                --no-cache-dir --target "$1" "$2"/sdists/causal_conv1d-*.tar.gz \
                "$2"/sdists/mamba_ssm-*.tar.gz; echo $? >"$3/mamba_build.rc"' \
            "$PY" "$MAMBA_SITE" "$BUNDLE" "$OUT" >"$OUT/mamba_build.log" 2>&1 </dev/null &
        BUILD_PID=$!
        log "build: mamba-ssm + causal-conv1d started in the background"
    else
        log "build: skipped (no sdists in $BUNDLE/sdists: run gpu_bundle.sh)"
    fi
fi

gpu_tests() {  # LOG: the test files that hold gpu-marked tests, -m gpu
    local files
    files=$(grep -rl "mark.gpu" tests --include='*.py' | sort)
    # shellcheck disable=SC2086
    timed "pytest -m gpu ($1)" "$OUT/$1" "$PY" -m pytest -m gpu -q -p no:cacheprovider \
        -o addopts='--import-mode=importlib' $files
    show "$OUT/$1" . 3
}

bench() {  # NAME CONFIG TAG [benchmark_latency options]
    local name=$1 cfg=$2 tag=$3
    shift 3
    timed "$name $tag" "$OUT/${name}_${tag}.log" "$PY" tools/analysis/benchmark_latency.py \
        "$cfg" --device "$DEVICE" --shape "$SHAPE" "$SHAPE" --warmup "$WARMUP" \
        --runs "$RUNS" --out "$OUT/${name}_${tag}.json" "$@"
    show "$OUT/${name}_${tag}.log" " on " 2
}

each_model() {  # TAG [options]: bench every model of MODELS
    local pair
    for pair in $MODELS; do bench "${pair%%=*}" "${pair#*=}" "$@"; done
}

wanted pytest && gpu_tests pytest_gpu.log
# the fp32 rows count the MACs (GFLOP/s and % of the matmul peak on their line,
# a CPU trace per model); the others skip the count
wanted fp32 && each_model fp32
wanted bf16 && each_model bf16 --dtype bf16 --no-flops

if wanted mamba; then
    # only a build that was started can still finish
    while [ -n "$BUILD_PID" ] && [ ! -f "$OUT/mamba_build.rc" ] \
        && [ "$(left)" -gt $((STAGE_MIN + 30)) ]; do
        sleep 5
    done
    if [ "$(cat "$OUT/mamba_build.rc" 2>/dev/null)" = 0 ]; then
        log "build: ok"
        export PYTHONPATH="$MAMBA_SITE:$PYTHONPATH"
        "$PY" -c 'import mamba_ssm, causal_conv1d; print("mamba_ssm", mamba_ssm.__version__)' \
            2>&1 | tee -a "$SUMMARY"
        gpu_tests pytest_gpu_mamba.log
        for pair in $MODELS; do
            case " $MAMBA_MODELS " in
            *" ${pair%%=*} "*) bench "${pair%%=*}" "${pair#*=}" fp32_mamba --no-flops ;;
            esac
        done
    else
        log "mamba: skipped (build not finished or failed; tail of mamba_build.log:)"
        show "$OUT/mamba_build.log" . 5
    fi
fi

if wanted official; then
    for pair in ${GPU_CHECK_OFFICIAL:-}; do
        arch=${pair%%=*}
        timed "official $arch" "$OUT/official_$arch.log" "$PY" \
            tools/analysis/benchmark_official.py --arch "$arch" --official-repo "${pair#*=}" \
            --device "$DEVICE" --shape "$SHAPE" "$SHAPE" --warmup "$WARMUP" --runs "$RUNS" \
            --rounds 1 --out "$OUT/official_$arch.json" \
            ${GPU_CHECK_OFFICIAL_KWARGS:+--official-kwargs "$GPU_CHECK_OFFICIAL_KWARGS"}
        show "$OUT/official_$arch.log" "^(official|inpaintzoo|speedup)" 3
    done
fi

wanted compile && each_model compile --compile --no-flops
log "done ($(left)s of the budget left)"
