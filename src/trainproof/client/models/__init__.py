"""Wire models for the KnowBe4 Reporting API, one module per resource, tolerant of its quirks."""

from trainproof.client.models._base import ApiModel
from trainproof.client.models.account import Account, Admin
from trainproof.client.models.content import ContentItem, module_key_for
from trainproof.client.models.enrollment import Enrollment, EnrollmentUser
from trainproof.client.models.group import Group, GroupRef
from trainproof.client.models.phishing_campaign import PhishingCampaign, PstSummary
from trainproof.client.models.policy import Policy
from trainproof.client.models.recipient import Recipient, RecipientUser
from trainproof.client.models.risk_score import RiskScore
from trainproof.client.models.security_test import Category, LandingPage, SecurityTest, TemplateRef
from trainproof.client.models.store_purchase import StorePurchase
from trainproof.client.models.training_campaign import TrainingCampaign
from trainproof.client.models.user import User

__all__ = [
    "Account",
    "Admin",
    "ApiModel",
    "Category",
    "ContentItem",
    "Enrollment",
    "EnrollmentUser",
    "Group",
    "GroupRef",
    "LandingPage",
    "PhishingCampaign",
    "Policy",
    "PstSummary",
    "Recipient",
    "RecipientUser",
    "RiskScore",
    "SecurityTest",
    "StorePurchase",
    "TemplateRef",
    "TrainingCampaign",
    "User",
    "module_key_for",
]
