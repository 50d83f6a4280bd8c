# SEM-Net ablation (Table 5.2 (f)): bi-directional snake without PE, with SEFN.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
model = dict(generator=dict(block=dict(attn=dict(pos_embed=False))))
