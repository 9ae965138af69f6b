"""flow cohorts: customers who entered a flow together, walked by one workflow

Revision ID: 0004_flow_cohorts
Revises: 0003_segment_indexes
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0004_flow_cohorts"
down_revision: str | Sequence[str] | None = "0003_segment_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("split_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("entered_via", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["flow_id"], ["flow.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["flow_version_id"], ["flow_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flow_cohort_flow_id", "flow_cohort", ["flow_id"])


def downgrade() -> None:
    op.drop_index("ix_flow_cohort_flow_id", table_name="flow_cohort")
    op.drop_table("flow_cohort")
