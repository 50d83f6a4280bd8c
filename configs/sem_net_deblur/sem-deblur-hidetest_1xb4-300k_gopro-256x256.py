# The GoPro-trained SEM-Net deblurrer tested on HIDE (Table 5.5: 31.12 / 0.941), no
# fine-tuning: data/hide/test/{test-close-ups,test-long-shot}/*.png paired with
# data/hide/GT/<same name>. Use it with the checkpoint of the GoPro config:
#   python tools/test.py configs/sem_net_deblur/sem-deblur-hidetest_1xb4-300k_gopro-256x256.py CKPT
_base_ = './sem-deblur_1xb4-300k_gopro-256x256.py'
test_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PairedImageDataset',
        layout='hide',
        data_root='data/hide',
        subsets=('test-close-ups', 'test-long-shot'),
        test_mode=True,
        pipeline=[
            dict(type='LoadPairedImages'),
            dict(type='PackRestorationInputs'),
        ],
    )
)
