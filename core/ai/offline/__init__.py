"""The offline assistant: deterministic English parsing and templates, no model needed."""
