# Ablation root of SEM-Net (thesis §5.4.5): the paper recipe of sem_celebahq.py with the
# model "halved" and the shared 30k-iteration ablation schedule. This is the full SEM-Net
# row of the ablations: Table 5.2 (g), Table 5.7 (e) and "Ours" of Table 5.4.
# "Halved parameter" is not defined further in the thesis: we halve the blocks per level
# ([4, 6, 6, 8] -> [2, 3, 3, 4]), which halves the generator (81.44 M -> 42.62 M) and keeps
# every block's width (docs/ablations.md). Every chapter-5 SEM-Net row derives from it.
# Same bases as sem_celebahq.py with the schedule swapped (MMEngine refuses the duplicate
# keys of listing sem_celebahq.py and ablation_30k.py together).
_base_ = [
    '../_base_/models/sem_net.py',
    '../_base_/datasets/celeba_hq.py',
    '../_base_/schedules/ablation_30k.py',
    '../_base_/default_runtime.py',
]
model = dict(generator=dict(num_blocks=[2, 3, 3, 4]))
