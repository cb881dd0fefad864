"""The Textual meeting app (the only package that imports textual)."""
