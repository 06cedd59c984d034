"""Presentation pieces the areas share and none of them owns.

An area package (``contest/<area>/``) may import from here, from ``contest.services`` and from
``contest.models``, never from another area. What several areas need to look or behave the same
lives here instead: the chart look (:mod:`.chart_style`) and the shared form pieces
(:mod:`.forms`). Nothing in this package imports an area, and neither the services nor the
models import this package: the arrows point down, areas → ui → services → models.
"""
