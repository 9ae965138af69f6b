"""Names shared by the worker, the API and the tests: task queue, workflow ids, search attributes.

Search attributes are registered on the dev server by the run command (`scripts/dev.py`) and in
tests through `WorkflowEnvironment.start_local(search_attributes=...)`.
"""

from urllib.parse import quote

from temporalio.common import SearchAttributeKey

# Temporal's SQL visibility store allows only 3 custom Int attributes per namespace, so the ids
# ops filter by most (campaign, flow, customer) are Int and the rest are Keyword (e.g. "7").
CAMPAIGN_ID = SearchAttributeKey.for_int("NudgeCampaignId")
FLOW_ID = SearchAttributeKey.for_int("NudgeFlowId")
CUSTOMER_ID = SearchAttributeKey.for_int("NudgeCustomerId")
FLOW_VERSION = SearchAttributeKey.for_keyword("NudgeFlowVersion")
COHORT_ID = SearchAttributeKey.for_keyword("NudgeCohortId")
KIND = SearchAttributeKey.for_keyword("NudgeKind")  # campaign | flow_run | flow_cohort | ...
STATUS = SearchAttributeKey.for_keyword("NudgeStatus")

ALL_SEARCH_ATTRIBUTES = [CAMPAIGN_ID, FLOW_ID, FLOW_VERSION, CUSTOMER_ID, COHORT_ID, KIND, STATUS]

_CLI_TYPES = {"INT": "Int", "KEYWORD": "Keyword", "TEXT": "Text", "DATETIME": "Datetime"}


def cli_search_attribute_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL_SEARCH_ATTRIBUTES:
        flags += ["--search-attribute", f"{key.name}={_CLI_TYPES[key.indexed_value_type.name]}"]
    return flags


def campaign_workflow_id(campaign_id: int) -> str:
    return f"campaign-{campaign_id}"


def flow_run_workflow_id(flow_id: int, customer_id: int, entry_key: str | None = None) -> str:
    base = f"flow-{flow_id}-customer-{customer_id}"
    return f"{base}-{entry_key}" if entry_key else base


def temporal_ui_link(
    ui_url: str, namespace: str, workflow_id: str, run_id: str | None = None
) -> str:
    link = f"{ui_url.rstrip('/')}/namespaces/{quote(namespace)}/workflows/{quote(workflow_id)}"
    return f"{link}/{quote(run_id)}/history" if run_id else link
