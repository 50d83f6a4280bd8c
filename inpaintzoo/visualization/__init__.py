"""Visualisation: MMEngine's Visualizer and LocalVisBackend are used as they are.

This subpackage exists so the ``VISUALIZERS``/``VISBACKENDS`` registries have an
import location; image grids are produced by
:class:`inpaintzoo.engine.hooks.InpaintVisualizationHook`.
"""
