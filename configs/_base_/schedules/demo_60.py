# Short demo schedule for the state-space models (configs/{mxt,sem_net}/*_demo-64x64.py):
# training backpropagates through the chunked PyTorch scan with autograd, which is slow on
# a CPU (about 2 s (MxT) / 4 s (SEM-Net) per iteration of batch 2 on 2 cores), so these
# demos run 60 iterations instead of HINT's 300 (the leaf sets batch size 2).
_base_ = './demo_300.py'
max_iters = 60
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=max_iters),
)
