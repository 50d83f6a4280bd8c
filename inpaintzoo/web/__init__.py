"""The browser app of ``inpaintzoo serve`` (optional extra ``[web]``).

:mod:`inpaintzoo.web.service` holds the model-running logic (no Gradio), with
:mod:`~inpaintzoo.web.model_menu` (the models offered) and
:mod:`~inpaintzoo.web.editor_inputs` (picture and mask of a request);
:mod:`inpaintzoo.web.app` builds the Gradio page and is imported only by
``inpaintzoo serve``, so importing :mod:`inpaintzoo` never imports Gradio.
"""
