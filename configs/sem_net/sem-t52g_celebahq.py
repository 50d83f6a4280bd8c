# SEM-Net ablation (Table 5.2 (g)): full SEM-Net (SMB with PE + SEFN) = sem_celebahq.py.
# Same recipe and data as sem_celebahq.py; only registered blocks are swapped.
_base_ = './sem_celebahq.py'
