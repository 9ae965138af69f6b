"""flow engine: exit events, one row per Temporal run, segment-entry members

Revision ID: 0002_flow_engine
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision: str = "0002_flow_engine"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flow") as batch:
        batch.add_column(
            sa.Column("exit_events", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("flow") as batch:
        batch.alter_column("exit_events", server_default=None)
    with op.batch_alter_table("flow_run") as batch:
        batch.add_column(
            sa.Column(
                "temporal_run_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
            )
        )
        batch.create_unique_constraint("uq_flow_run_temporal_run_id", ["temporal_run_id"])
    op.create_table(
        "flow_segment_member",
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["flow_id"], ["flow.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("flow_id", "customer_id"),
    )


def downgrade() -> None:
    op.drop_table("flow_segment_member")
    with op.batch_alter_table("flow_run") as batch:
        batch.drop_constraint("uq_flow_run_temporal_run_id", type_="unique")
        batch.drop_column("temporal_run_id")
    with op.batch_alter_table("flow") as batch:
        batch.drop_column("exit_events")
