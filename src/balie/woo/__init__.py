"""Woo requests (Woo-verzoeken): registration, legal deadlines, holds, collection, review and
publication. This package holds the requests and their deadlines so far; the review and the
publication package follow (issue 14)."""
