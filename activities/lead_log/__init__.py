"""The Google Sheets lead log: rows for people (`rows`), the sheet kept up to date by upserting
them (`sheet`), and the activity its single writer calls (`activity`)."""

from activities.lead_log.activity import (
    WORKFLOW_ID,
    LeadLogActivities,
    LeadLogBatch,
    LeadLogInput,
    enqueue,
)
from activities.lead_log.rows import COLUMNS, LeadRow, row_for
from activities.lead_log.sheet import SheetsLog, service_account_credentials

__all__ = [
    "COLUMNS",
    "WORKFLOW_ID",
    "LeadLogActivities",
    "LeadLogBatch",
    "LeadLogInput",
    "LeadRow",
    "SheetsLog",
    "enqueue",
    "row_for",
    "service_account_credentials",
]
