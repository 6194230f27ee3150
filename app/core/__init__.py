"""Cross-cutting mechanisms shared by every domain. Imports no domain package."""
