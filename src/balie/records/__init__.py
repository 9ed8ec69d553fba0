"""Records management: record classes, retention, holds and four-eyes destruction.

It acts on the conversations and the search index below it; its models stay in the archive
app for now (decision 0018).
"""
