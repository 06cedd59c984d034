"""Extensions, created unbound; ``create_app`` binds them to an application.

Flask-Migrate is the exception: importing it imports Alembic (a fifth of a second), so
``create_app`` imports and binds it there and ``import contest`` (every ``contest`` command,
``--help`` included) goes without.
"""

from __future__ import annotations

import ipaddress

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
cache = Cache()


def client_bucket(address: str | None = None) -> str:
    """Whom a limit counts: the client's IPv4 address, or its IPv6 /64 — one household or
    server gets a whole /64, so counting single IPv6 addresses would give it unlimited tries."""
    raw = address if address is not None else get_remote_address()
    try:
        parsed = ipaddress.ip_address(raw)
    except ValueError:
        return raw or ""
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 client
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


limiter = Limiter(key_func=client_bucket, default_limits=[])
