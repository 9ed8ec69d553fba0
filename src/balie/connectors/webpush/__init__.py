"""Web Push to residents' browsers (decision 0035): a notification when an agent answers,
without the message's text. See docs/guides/resident-app.md."""
