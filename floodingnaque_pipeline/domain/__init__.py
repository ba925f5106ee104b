"""Typed records, column lists, time zone, geo, Markdown tables: what every layer shares.

It imports nothing else from the package, so sources, db and ml can all use it (db and ml
never import each other).
"""
