"""Registering resolved conversations in the Klantinteracties API (Open Klant 2.x)."""
