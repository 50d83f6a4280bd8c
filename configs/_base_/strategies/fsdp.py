# Fully sharded data parallel (FSDP) training: add this file last to a config's _base_
# list, or pass `--strategy fsdp` to tools/train.py (which merges it). Each
# trainable sub-network (generator, discriminator) becomes its own FSDP unit, so a
# GAN inpaintor keeps its two optimisers and official G/D update order. Checkpoints
# are full state dicts written by rank 0, loadable without FSDP. On a CPU-only
# machine FSDP runs on gloo (tests/test_engine/test_distributed_training.py).
runner_type = 'InpaintFlexibleRunner'
strategy = dict(
    # the scope prefix: FlexibleRunner builds the strategy before default_scope applies
    type='inpaintzoo.InpaintFSDPStrategy',
    model_wrapper=dict(
        type='SeparateFSDP',
        # FULL_SHARD shards parameters, gradients and optimiser state;
        # SHARD_GRAD_OP keeps parameters whole between forward and backward
        sharding_strategy='FULL_SHARD',
        # MMFullyShardedDataParallel's other options, at their defaults (None), so
        # that --cfg-options strategy.model_wrapper.<key>=... changes a known key:
        cpu_offload=None,  # True: parameters and gradients live on the CPU
        auto_wrap_policy=None,  # e.g. dict(type='size_based_auto_wrap_policy', ...)
        mixed_precision=None,  # e.g. dict(param_dtype='bfloat16')
    ),
    state_dict_cfg='full',
)
