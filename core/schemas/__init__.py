"""Request and response models for the API (the model family per entity, as in STYLE.md)."""
