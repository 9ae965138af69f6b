"""The segmentation engine: criteria JSON → validated model → one SQL statement.

- criteria.py: `parse_criteria`, `validate_criteria`, `CriteriaError`, the model classes;
- fields.py: the field registry (`FIELDS`, `registry_json()` for GET /api/segments/fields);
- compiler.py: `criteria_clause`, `members_select`, `count_members`, `customer_matches`;
- audience.py: `snapshot_audience` (INSERT ... SELECT into audience_member).
"""

from core.segments.audience import snapshot_audience
from core.segments.compiler import (
    count_members,
    criteria_clause,
    customer_matches,
    members_select,
    resolve_window,
)
from core.segments.criteria import (
    MAX_DEPTH,
    CriteriaError,
    CriteriaGroup,
    parse_criteria,
    validate_criteria,
)
from core.segments.fields import FIELDS, registry_json

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "CriteriaError",
    "CriteriaGroup",
    "count_members",
    "criteria_clause",
    "customer_matches",
    "members_select",
    "parse_criteria",
    "registry_json",
    "resolve_window",
    "snapshot_audience",
    "validate_criteria",
]
