"""Full-text search over messages: Dutch stemming, one index per database backend.

``text`` turns text into index terms (the same on both backends), ``query`` parses what a
person typed, ``index`` keeps the index in step with the messages (called by the actions, in
their transaction), ``selectors`` runs a search for an actor (scoped and audited).
"""
