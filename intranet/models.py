"""Every model module, imported so the metadata (and Alembic) know all tables.

Each feature adds its models module here.
"""

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

__all__ = [
    "Asset",
    "Attachment",
    "AuditEntry",
    "Booking",
    "BookingSeries",
    "Loan",
    "LoanItem",
    "LoginFailure",
    "Maintenance",
    "Pillar",
    "Room",
    "SiteMeta",
    "StockTake",
    "StockTakeFinding",
    "StockTakeRoom",
    "User",
]
