"""An organisation client and the short-lived access tokens it obtains; secrets and tokens are stored as SHA-256."""

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.columns import UTCDateTime, utcnow
from app.extensions import db


def digest(secret: str) -> str:
    """The SHA-256 stored for a secret: secrets are long and random, so a slow hash adds nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


class OrganisationClient(db.Model):
    """A partner system registered by an admin; Authlib's ClientMixin, for the client-credentials grant only."""

    __tablename__ = "organisation_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160))
    scope: Mapped[str] = mapped_column(String(200))  # space-separated, as OAuth writes scopes
    # Whose vouchers a till validates: needed for the vouchers:validate scope, ignored otherwise.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id", ondelete="SET NULL"))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    @property
    def label(self) -> str:
        """How logs and the data use log name the client."""
        return f"{self.name} ({self.organisation}, client {self.client_id})"

    # Authlib's ClientMixin ---------------------------------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def check_redirect_uri(self, redirect_uri) -> bool:
        return False

    def check_response_type(self, response_type) -> bool:
        return False

    def get_allowed_scope(self, scope) -> str:
        """What of the asked scope the client holds; all it holds when it asks for none."""
        if not scope:
            return self.scope
        return " ".join(name for name in scope.split() if name in self.scopes)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.revoked_at is None and hmac.compare_digest(self.secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method, endpoint) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type) -> bool:
        return grant_type == "client_credentials"


class ClientToken(db.Model):
    """An access token issued to a client; Authlib's TokenMixin. Dead once expired, revoked or its client revoked."""

    __tablename__ = "client_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(ForeignKey("organisation_client.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_in: Mapped[int]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[OrganisationClient] = relationship(lazy="joined")

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + timedelta(seconds=self.expires_in)

    def check_client(self, client) -> bool:
        return client.id == self.client_pk

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None or self.client.revoked_at is not None

    def get_user(self):
        return None

    def get_client(self) -> OrganisationClient:
        return self.client
