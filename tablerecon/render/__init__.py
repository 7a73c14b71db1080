"""Views of a ``Report`` for people: the terminal grids of ``show`` and ``explain`` and the HTML
page of ``show --html``.

Every view reads the same public models that ``extract`` emits, so what a person sees is what
the JSON says; nothing here parses text or solves anything again.

- ``cells``: per-cell facts shared by every view (status, violated, ambiguous, short labels).
- ``terminal``: small rich renderables (grid, legend, checks, notes, explanations).
- ``html``: one self-contained page with the grids beside the source text.
"""
