"""A ``CheckpointHook`` whose saves survive ``kill -9`` at any moment.

MMEngine 0.10.7's hook deletes the oldest checkpoint *before* it writes the new
one and writes in place, so with ``max_keep_ckpts=1`` a crash during a save
leaves no usable checkpoint. This hook, for local output folders:

1. writes ``iter_N.pth.tmp-<pid>``, fsyncs it and renames it to ``iter_N.pth``;
2. then replaces ``last_checkpoint`` the same way;
3. only then deletes checkpoints beyond ``max_keep_ckpts``.

Best checkpoints (``save_best``) are saved the same way: the new
``best_<metric>_iter_N.pth`` is complete on disk before the previous best is
deleted (MMEngine deletes the previous best first).

Temp files left by a killed run are removed when training starts. Other storage
backends (``backend_args``) keep MMEngine's behaviour.
"""

from __future__ import annotations

import os.path as osp
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` with atomic saves; same arguments (see module doc)."""

    def before_train(self, runner: Runner) -> None:
        """Set up as MMEngine does, then drop temp files of killed saves."""
        super().before_train(runner)
        if self._is_local() and is_main_process():
            for path in remove_stale_temp_files(self.out_dir):
                runner.logger.info(f'removed {path}, left by an interrupted save')

    def _is_local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _save_checkpoint_with_step(self, runner: Runner, step: int, meta: dict) -> None:
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
        committed = self._save_atomically(
            runner,
            self.last_ckpt,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            **self.args,
        )
        if not committed:
            return
        write_text_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt
        )
        for old in outdated:
            self._remove_checkpoint(
                osp.join(self.out_dir, self.filename_tmpl.format(old))
            )

    def _save_atomically(self, runner: Runner, path: str, **kwargs) -> bool:
        """Save a checkpoint under a temp name, then rename it to ``path``.

        Args:
            runner: the runner whose ``save_checkpoint`` writes the file.
            path (str): final checkpoint path inside ``self.out_dir``.
            **kwargs: passed on to ``runner.save_checkpoint``.

        Returns:
            bool: True on the main process once ``path`` is complete on disk;
            False on other ranks (they write nothing).
        """
        tmp = temp_name(path)
        try:
            runner.save_checkpoint(
                self.out_dir,
                tmp.name,
                self.file_client_args,
                backend_args=self.backend_args,
                **kwargs,
            )
            if not is_main_process():
                return False
            commit_file(tmp, path)
            return True
        finally:
            tmp.unlink(missing_ok=True)

    def _remove_checkpoint(self, path: str) -> bool:
        """Delete a checkpoint file (or folder); True if something was deleted."""
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):
            self.file_backend.rmtree(path)
        else:
            return False
        return True

    def _save_best_checkpoint(self, runner: Runner, metrics: dict) -> None:
        """Save a new best checkpoint before deleting the previous best.

        Same files, log lines and ``message_hub`` entries (``best_score*``,
        ``best_ckpt*``) as MMEngine's hook; only the order differs, so a crash
        during the save leaves the previous best intact (its state is restored
        in the hook and ``message_hub`` when the save raises).

        Args:
            runner: the runner being trained.
            metrics (dict): evaluation results, ``{metric name: value}``.
        """
        if not self.save_best or not self._is_local():
            super()._save_best_checkpoint(runner, metrics)
            return
        unit = 'epoch' if self.by_epoch else 'iter'
        step = runner.epoch if self.by_epoch else runner.iter
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        if 'auto' in self.key_indicators:
            self._init_rule(self.rules, [next(iter(metrics))])
        single = len(self.key_indicators) == 1
        updated = False
        for key, rule in zip(self.key_indicators, self.rules, strict=True):
            suffix = '' if single else f'_{key}'
            score_key, ckpt_key = f'best_score{suffix}', f'best_ckpt{suffix}'
            score = metrics[key]
            best = runner.message_hub.get_info(score_key, self.init_value_map[rule])
            if score is None or not self.is_better_than[key](score, best):
                continue
            updated = True
            old_path = self.best_ckpt_path if single else self.best_ckpt_path_dict[key]
            old_hub = {k: runner.message_hub.get_info(k) for k in (score_key, ckpt_key)}
            name = f'best_{key}_{self.filename_tmpl.format(step)}'.replace('/', '_')
            new_path = self.file_backend.join_path(self.out_dir, name)
            self._set_best_path(key, new_path)
            runner.message_hub.update_info(score_key, score)
            runner.message_hub.update_info(ckpt_key, new_path)
            try:
                committed = self._save_atomically(
                    runner,
                    new_path,
                    save_optimizer=False,
                    save_param_scheduler=False,
                    meta=meta,
                    by_epoch=False,
                )
            except BaseException:
                self._set_best_path(key, old_path)
                for hub_key, value in old_hub.items():
                    if value is not None:
                        runner.message_hub.update_info(hub_key, value)
                    else:
                        runner.message_hub.pop_info(hub_key, None)
                raise
            stale = committed and old_path and old_path != new_path
            if stale and self._remove_checkpoint(old_path):
                runner.logger.info(
                    f'The previous best checkpoint {old_path} is removed'
                )
            runner.logger.info(
                f'The best checkpoint with {score:0.4f} {key} at {step} {unit} '
                f'is saved to {name}.'
            )
        # resave the step checkpoint so that it records the new best (as MMEngine)
        if updated and self.last_ckpt is not None:
            self._save_checkpoint_with_step(runner, step, meta)

    def _set_best_path(self, key: str, path: str | None) -> None:
        if len(self.key_indicators) == 1:
            self.best_ckpt_path = path
        else:
            self.best_ckpt_path_dict[key] = path
