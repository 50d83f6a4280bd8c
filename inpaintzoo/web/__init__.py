"""The browser app of ``inpaintzoo serve`` (optional extra ``[web]``).

:mod:`inpaintzoo.web.service` holds the model-running logic (no Gradio);
:mod:`inpaintzoo.web.app` builds the Gradio page and is imported only by
``inpaintzoo serve``, so importing :mod:`inpaintzoo` never imports Gradio.
"""
