"""Presentation pieces the areas share and none of them owns.

An area package (``contest/<area>/``) imports from here, from ``contest.services`` and from
``contest.models``, never from another area. What several areas need to look or behave the same
lives here instead:

- :mod:`.areas` — what an area declares (blueprint, menu entries, home sections) and how
  ``create_app`` registers it on the app;
- :mod:`.templating` — template filters and the context every page gets (the menu);
- :mod:`.errors` — error pages for people, JSON errors for the API;
- :mod:`.forms` — the shared form pieces (one-button form, write-only input, select values);
- :mod:`.chart_style` — the chart look (palette, lean layout, the embedded payload);
- :mod:`.links` — public absolute links from the configured base URL, trusted host names, and
  the one rule for every ``next`` redirect.

Nothing here imports an area, and neither the services nor the models import this package:
the arrows point down, areas → ui → services → models.
"""
