"""KnowBe4's training campaign workflows as reports over the local store: one plain function per report.

Every `report_*` function takes the store (a SQLAlchemy Connection or Engine) and, where it needs the
configuration, the Settings, and returns typed rows (pydantic models); the CLI (`trainproof report`)
and the MCP tools (`knowbe4_training_<report>`) both call these, so they always agree.
"""

from trainproof.reports._common import ReportInputError, ReportRow
from trainproof.reports.campaigns import CampaignReport, report_campaigns
from trainproof.reports.departments import DepartmentRow, report_departments
from trainproof.reports.html import HtmlReport, TrainingSummary, build_html_report, render_html, report_html, write_html
from trainproof.reports.new_hires import NewHireRow, report_new_hires
from trainproof.reports.overdue import ManagerSummary, OverdueRow, by_manager, report_overdue
from trainproof.reports.quarterly import QuarterlyReport, report_quarterly
from trainproof.reports.remediation import RemediationRow, import_csv, report_remediation
from trainproof.reports.reminders import ReminderRow, ReminderTemplate, SendResult, report_reminders, send_reminders

__all__ = [
    "CampaignReport",
    "DepartmentRow",
    "HtmlReport",
    "ManagerSummary",
    "NewHireRow",
    "OverdueRow",
    "QuarterlyReport",
    "RemediationRow",
    "ReminderRow",
    "ReminderTemplate",
    "ReportInputError",
    "ReportRow",
    "SendResult",
    "TrainingSummary",
    "build_html_report",
    "by_manager",
    "import_csv",
    "render_html",
    "report_campaigns",
    "report_departments",
    "report_html",
    "report_new_hires",
    "report_overdue",
    "report_quarterly",
    "report_remediation",
    "report_reminders",
    "send_reminders",
    "write_html",
]
