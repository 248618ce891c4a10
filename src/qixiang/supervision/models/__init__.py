"""Models of the supervision app, one module per aggregate (see each module's docstring)."""

from qixiang.supervision.models.access import AccessGrant, Membership, PersonalField, Purpose
from qixiang.supervision.models.agencies import (
    Agency,
    AgencyFiling,
    AgencyStatus,
    AnnualReport,
    CreditGrade,
    Grade,
    Inspector,
    Instrument,
    InstrumentKind,
    TitleLevel,
)
from qixiang.supervision.models.audit import AppendOnly, AuditEntry, AuditHead
from qixiang.supervision.models.base import Datum, IdentifierCheck
from qixiang.supervision.models.credit import (
    CreditEvent,
    CreditRating,
    CreditRecord,
    CreditSource,
    ObjectionStatus,
    RepairStatus,
)
from qixiang.supervision.models.enforcement import (
    CaseStatus,
    Degree,
    Draw,
    EnforcementInspection,
    EnforcementResult,
    EnforcementStatus,
    PenaltyCase,
)
from qixiang.supervision.models.hazards import (
    AttachmentStage,
    Hazard,
    HazardAttachment,
    HazardSource,
    HazardStatus,
    NoticeKind,
    Rectification,
    Severity,
    VerificationResult,
)
from qixiang.supervision.models.inspections import (
    ITEM_UNITS,
    Conclusion,
    FieldPhoto,
    FieldSession,
    GnssSystem,
    IdentityResult,
    InspectionKind,
    InspectionReport,
    InspectionStatus,
    InspectionTask,
    LimitKind,
    Measurement,
    MeasurementItem,
)
from qixiang.supervision.models.notifications import Notification, NotificationKind
from qixiang.supervision.models.quality import DataQualityIssue, IssueSeverity, IssueStatus, Stage
from qixiang.supervision.models.sharing import (
    Direction,
    ExchangeRecord,
    ExchangeStatus,
    Partner,
    PartnerKind,
)
from qixiang.supervision.models.subjects import (
    EXPLOSION_ZONES,
    ComponentKind,
    KeyUnit,
    KeyUnitCategory,
    LightningClass,
    LPSComponent,
    RiskCode,
    Site,
    Subject,
    SubjectKind,
)

__all__ = [
    "EXPLOSION_ZONES", "ITEM_UNITS", "AccessGrant", "Agency", "AgencyFiling", "AgencyStatus",
    "AnnualReport", "AppendOnly", "AttachmentStage", "AuditEntry", "AuditHead", "CaseStatus",
    "ComponentKind", "Conclusion", "CreditEvent", "CreditGrade", "CreditRating", "CreditRecord",
    "CreditSource", "DataQualityIssue", "Datum", "Degree", "Direction", "Draw",
    "EnforcementInspection", "EnforcementResult", "EnforcementStatus", "ExchangeRecord",
    "ExchangeStatus", "FieldPhoto", "FieldSession", "GnssSystem", "Grade", "Hazard",
    "HazardAttachment", "HazardSource", "HazardStatus", "IdentifierCheck", "IdentityResult",
    "InspectionKind", "InspectionReport", "InspectionStatus", "InspectionTask", "Inspector",
    "Instrument", "InstrumentKind", "IssueSeverity", "IssueStatus", "KeyUnit", "KeyUnitCategory",
    "LPSComponent", "LightningClass", "LimitKind", "Measurement", "MeasurementItem", "Membership",
    "NoticeKind", "Notification", "NotificationKind", "ObjectionStatus", "Partner",
    "PartnerKind", "PenaltyCase", "PersonalField",
    "Purpose", "Rectification", "RepairStatus", "RiskCode", "Severity", "Site", "Stage",
    "Subject", "SubjectKind", "TitleLevel", "VerificationResult",
]
