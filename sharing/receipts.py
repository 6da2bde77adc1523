"""Consent receipts in the fields of the Kantara Initiative's Consent Receipt Specification v1.1."""

from flask import current_app

from app.bilingual import setting, text
from sharing.models import Consent, EndReason

RECEIPT_VERSION = "KI-CR-v1.1.0"


def pseudonymous_id(consent: Consent) -> str:
    """The resident as the receipt names them: an id that is not their name or email."""
    return f"civiquest-resident-{consent.user_id}"


def _termination(consent: Consent) -> str:
    if consent.end_reason is not None and consent.ended_at is not None:
        return f"Ended ({EndReason(consent.end_reason).value}) at {consent.ended_at.isoformat()}"
    return f"Expires at {consent.expires_at.isoformat()} ({consent.duration_months} months), or earlier when withdrawn"


def _language(consent: Consent) -> str:
    """The resident's language, in which the receipt names the purpose and the data category."""
    return "de" if consent.user is not None and consent.user.language == "de" else "en"


def _address(config, language: str) -> dict:
    """The controller's postal address as an object, as the specification's examples give it."""
    street = setting(config, "SHARING_CONTROLLER_ADDRESS", language)
    return {"streetAddress": street, "addressCountry": config["SHARING_JURISDICTION"]}


COLLECTION_METHODS = {
    "web": "web form",
    "api": "API request by the resident",
    "paper": "signed paper form, entered at the service desk",
}


def receipt(consent: Consent, policy_url: str, withdraw_url: str) -> dict:
    """The receipt of one grant, as JSON-ready data, in the resident's language."""
    config = current_app.config
    purpose = consent.purpose
    language = _language(consent)
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": config["SHARING_JURISDICTION"],
        "consentTimestamp": int(consent.granted_at.timestamp()),
        "collectionMethod": COLLECTION_METHODS.get(consent.method, consent.method),
        "consentReceiptID": consent.receipt_id,
        "language": language,
        "piiPrincipalId": pseudonymous_id(consent),
        "piiControllers": [
            {
                "piiController": setting(config, "SHARING_CONTROLLER_NAME", language),
                "contact": setting(config, "SHARING_CONTROLLER_CONTACT", language),
                "address": _address(config, language),
                "email": config["SHARING_CONTROLLER_EMAIL"],
                "phone": config["SHARING_CONTROLLER_PHONE"],
                "piiControllerUrl": policy_url,
            }
        ],
        "policyUrl": policy_url,
        "services": [
            {
                "service": "Civiquest",
                "purposes": [
                    {
                        "purpose": text(purpose, "name", language),
                        "purposeCategory": [purpose.code],
                        "consentType": "EXPLICIT",
                        "piiCategory": [text(consent.category, "name", language)],
                        "primaryPurpose": False,
                        "termination": _termination(consent),
                        "thirdPartyDisclosure": purpose.third_party,
                        "thirdPartyName": purpose.organisation if purpose.third_party else None,
                        "aggregationLevel": consent.level.value,  # an extension: how detailed the use may be
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        "withdrawal": f"Withdraw at any time, with one click: {withdraw_url}",
    }
