"""The one rubric and score-sheet engine of every judged thing (DESIGN "assessment").

Skills events, labor competition rounds, union ratings and (later) nomination expert reviews all
mark the same ``aspects`` on the same ``score_sheets``: this package holds what does not depend
on who owns the rubric or what a sheet is about — the item kinds and what a mark is worth
(:mod:`items`), and the versioned, audited save of a sheet's marks (:mod:`sheets`).  Each journey
keeps its own rules of who may mark what and when, and calls in here to do the marking.
"""
