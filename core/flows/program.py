"""A flow definition flattened into numbered instructions with explicit successors.

Cohort runs move groups of customers through a flow and split them (CONDITION branches, local
time zones); each group continues as its own cohort from an instruction index, so positions are
plain numbers. (Single runs walk the nested definition directly.)
"""

from typing import Any

from pydantic import BaseModel


class Instruction(BaseModel):
    key: str
    type: str
    step: dict[str, Any]  # the definition's step (a CONDITION's without its branches)
    next: int | None = None  # None: the flow ends after this step
    if_true: int | None = None  # CONDITION only
    if_false: int | None = None


def compile_steps(steps: list[dict[str, Any]]) -> list[Instruction]:
    program: list[Instruction] = []
    top_index: dict[str, int] = {}
    branches: list[tuple[int, str, list | str]] = []

    def emit(block: list[dict], after: int | None, top: bool = False) -> int | None:
        """Emit a block whose last step goes on at `after`; returns the block's first index."""
        first = previous = None
        for step in block:
            index = len(program)
            body = {k: v for k, v in step.items() if k not in ("if_true", "if_false")}
            program.append(Instruction(key=step["key"], type=step["type"], step=body))
            if top:
                top_index[step["key"]] = index
            if step["type"] == "CONDITION":
                for name in ("if_true", "if_false"):
                    branches.append((index, name, step.get(name) or []))
            if previous is not None and program[previous].type != "EXIT":
                program[previous].next = index
            first = index if first is None else first
            previous = index
        if previous is not None and program[previous].type != "EXIT":
            program[previous].next = after
        return first

    emit(steps, None, top=True)
    done = 0
    while done < len(branches):  # branches of nested CONDITIONs are appended as we go
        index, name, branch = branches[done]
        done += 1
        rejoin = program[index].next
        if isinstance(branch, str):
            target = top_index[branch]
        else:
            start = emit(branch, rejoin)
            target = start if start is not None else rejoin
        setattr(program[index], name, target)
    return program
