"""Prompt files: one per task in `prompts/`, with `$named` variables (JSON braces stay literal)."""

from functools import lru_cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).parent / "prompts"


@lru_cache
def load_prompt(name: str) -> Template:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt file {path.name} in {PROMPTS_DIR}")
    return Template(path.read_text(encoding="utf-8"))


def render_prompt(name: str, **variables: str) -> str:
    """The prompt with every variable filled; a missing or unknown variable is a bug, so raise."""
    template = load_prompt(name)
    wanted = set(template.get_identifiers())
    if missing := wanted - variables.keys():
        raise KeyError(f"prompt {name} needs {sorted(missing)}")
    if extra := variables.keys() - wanted:
        raise KeyError(f"prompt {name} has no variables {sorted(extra)}")
    return template.substitute(variables)
