"""The AI service: turns a marketer's words into drafts (segment criteria, flows, campaign plans)
that the UI shows and the marketer applies. Nothing here saves or runs anything.

Two kinds of assistant answer: a model behind any OpenAI-compatible API (`model.py`), and the
offline assistant (`offline/`), the default when no key is set. Both return the same validated
models (`answers.py`)."""
