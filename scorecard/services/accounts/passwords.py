"""Password hashing: argon2id, with werkzeug's scrypt as the fallback where argon2-cffi has no wheel."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from scorecard.models import User

try:  # argon2-cffi has no wheel on some platforms (LoongArch); werkzeug is the fallback
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    _hasher: PasswordHasher | None = PasswordHasher()
except ImportError:  # pragma: no cover
    _hasher = None


def hash_password(password: str) -> str:
    if _hasher is not None:
        return _hasher.hash(password)
    return generate_password_hash(password, "scrypt:131072:8:1")  # pragma: no cover


def verify_password(stored: str, password: str) -> bool:
    if stored.startswith("$argon2") and _hasher is not None:
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(stored, password)
    except ValueError:
        return False


def rehash_if_needed(user: User, password: str) -> None:
    """After a successful check: upgrade old hashes (werkzeug, weaker argon2) to the current one."""
    if _hasher is None:  # pragma: no cover
        return
    if not user.password_hash.startswith("$argon2") or _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
