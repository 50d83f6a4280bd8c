"""A ``CheckpointHook`` whose saves survive ``kill -9`` at any moment.

MMEngine 0.10.7's hook deletes the oldest checkpoint *before* it writes the new
one and writes in place, so with ``max_keep_ckpts=1`` a crash during a save
leaves no usable checkpoint. This hook, for local output folders:

1. writes ``iter_N.pth.tmp-<pid>``, fsyncs it and renames it to ``iter_N.pth``;
2. then replaces ``last_checkpoint`` the same way;
3. only then deletes checkpoints beyond ``max_keep_ckpts``.

Temp files left by a killed run are removed when training starts. Other storage
backends (``backend_args``) and best-checkpoint saving keep MMEngine's behaviour.
"""

import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from inpaintzoo.engine.atomic_io import (
    commit_file,
    remove_stale_temp_files,
    temp_name,
    write_text_atomically,
)
from inpaintzoo.registry import HOOKS


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` with atomic saves; same arguments (see module doc)."""

    def before_train(self, runner) -> None:
        """Set up as MMEngine does, then drop temp files of killed saves."""
        super().before_train(runner)
        if self._is_local() and is_main_process():
            for path in remove_stale_temp_files(self.out_dir):
                runner.logger.info(f'removed {path}, left by an interrupted save')

    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _save_checkpoint_with_step(self, runner, step: int, meta: dict) -> None:
        """Save checkpoint ``step``; delete outdated ones only once it is on disk."""
        if not self._is_local():
            super()._save_checkpoint_with_step(runner, step, meta)
            return
        outdated = []
        if self.max_keep_ckpts > 0 and not (
            self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step
        ):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            # saved inside the checkpoint, so resume knows what to delete later
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        tmp = temp_name(self.last_ckpt)
        try:
            runner.save_checkpoint(
                self.out_dir,
                tmp.name,
                self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args,
            )
            if not is_main_process():
                return
            commit_file(tmp, self.last_ckpt)
        finally:
            tmp.unlink(missing_ok=True)
        write_text_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt
        )
        for old in outdated:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)
