default_scope = 'inpaintzoo'
# loads/resumes with the safe checkpoint loaders (inpaintzoo.engine.checkpoint)
runner_type = 'InpaintRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        # write temp + fsync + rename, then delete old ones: survives kill -9
        type='AtomicCheckpointHook',
        interval=1000,
        by_epoch=False,
        max_keep_ckpts=3,
    ),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
# one grid per val/test run: 8 samples spread over the data set (vis_data/vis_image/)
custom_hooks = [dict(type='InpaintVisualizationHook', max_images=8)]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
# the four official repositories seed torch, numpy and random with 10
randomness = dict(seed=10)

# official test protocol: PSNR / SSIM / L1 (x100) on uint8 composites, per bucket
val_evaluator = [dict(type='InpaintingMetric')]
test_evaluator = val_evaluator
