"""Fixes: minimal line edits and the loop that applies them."""
