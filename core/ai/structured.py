"""Structured answers: parse the model's JSON into a validated model, sending it back once with
the errors when it is not valid."""

import json
import re
from collections.abc import Callable
from typing import TypeVar

from core.ai.errors import AIInvalidOutput, OutputInvalid
from core.ai.llm import ChatModel

T = TypeVar("T")

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def extract_json(text: str) -> dict:
    """The JSON object in an answer; tolerates code fences and prose around it."""
    text = text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        raise OutputInvalid(["the answer is not a JSON object"])
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise OutputInvalid(
            [f"the answer is not valid JSON: {exc.msg} at char {exc.pos}"]
        ) from None
    if not isinstance(data, dict):
        raise OutputInvalid(["the answer must be a JSON object"])
    return data


def ask_structured(model: ChatModel, messages: list[dict], parse: Callable[[dict], T]) -> T:
    """Ask, validate with `parse` (which raises OutputInvalid), and retry once with the errors."""
    answer = model.complete(messages)
    try:
        return parse(extract_json(answer))
    except OutputInvalid as first:
        errors = first.errors
    retry = [
        *messages,
        {"role": "assistant", "content": answer[:8000]},
        {
            "role": "user",
            "content": "Your answer was rejected by the validator:\n"
            + "\n".join(f"- {e}" for e in errors[:20])
            + "\nReply again with the corrected JSON object only.",
        },
    ]
    answer = model.complete(retry)
    try:
        return parse(extract_json(answer))
    except OutputInvalid as second:
        raise AIInvalidOutput(
            "the AI's answer was still invalid after it was sent back once: "
            + "; ".join(second.errors[:5]),
            errors=second.errors,
        ) from None
