"""Every model module, imported so the metadata (and Alembic) know all tables.

Each feature adds its models module here.
"""

from intranet.announcements.models import (
    Announcement,
    AnnouncementAck,
    AnnouncementAudience,
    AnnouncementCategory,
    AnnouncementRead,
    AnnouncementVersion,
)
from intranet.assets.models import (
    Asset,
    Loan,
    LoanItem,
    Maintenance,
    StockTake,
    StockTakeFinding,
    StockTakeRoom,
)
from intranet.auth.models import LoginFailure, Pillar, User
from intranet.bookings.models import Booking, BookingSeries, Room
from intranet.core.attachments import Attachment
from intranet.core.audit import AuditEntry
from intranet.core.meta import SiteMeta
from intranet.trainings.models import Attendance, Registration, Training, TrainingSession

__all__ = [
    "Announcement",
    "AnnouncementAck",
    "AnnouncementAudience",
    "AnnouncementCategory",
    "AnnouncementRead",
    "AnnouncementVersion",
    "Asset",
    "Attachment",
    "Attendance",
    "AuditEntry",
    "Booking",
    "BookingSeries",
    "Loan",
    "LoanItem",
    "LoginFailure",
    "Maintenance",
    "Pillar",
    "Registration",
    "Room",
    "SiteMeta",
    "StockTake",
    "StockTakeFinding",
    "StockTakeRoom",
    "Training",
    "TrainingSession",
    "User",
]
