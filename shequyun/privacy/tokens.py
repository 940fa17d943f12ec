"""Keyed tokens for ID and phone numbers: what the analyst database holds instead of the numbers, for joining.

A token is HMAC-SHA256(secret, "<kind>:" + upper(trim(value))), its first 16 hex digits written with the letters
a-p instead of 0-9 and a-f (`fbkhpamcognlaedi`): 64 bits, readable, and never mistaken for a number by the masking
patterns (a token has no digits). The same value gives the same token in every table and every build of one
deployment, so analysts can join on it; without the secret nobody can compute the token of a given number, so
trying all 18-digit ID numbers (a few billion plausible ones: feasible against an unkeyed md5/sha256) is not.

The secret is per deployment and never in the repository: `$SHEQUYUN_TOKEN_SECRET` (at least 16 characters) or,
when unset, `<data dir>/secrets/token.key`, generated once (32 random bytes, hex) with mode 0600 in a 0700 folder.
A key file readable by others is refused. Whoever can read the key can compute tokens; the key is for the
data-bureau's processes (the build that publishes the analyst database, `person show <ID number>`), not for
the analysts' files.

`token_sql` computes the same HMAC inside DuckDB (sha256 over blobs, the RFC 2104 construction), so a table of
millions of rows is tokenised in one vectorised query; tests/privacy check it against Python's hmac.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import uuid
from pathlib import Path

SECRET_VARIABLE = "SHEQUYUN_TOKEN_SECRET"
SECRET_FILE = Path("secrets") / "token.key"
TOKEN_LENGTH = 16
_DIGITS = "0123456789abcdef"
_LETTERS = "abcdefghijklmnop"
_BLOCK = 64   # SHA-256 block size


class TokenSecretError(RuntimeError):
    """The token secret is missing, too short or readable by others."""


def secret_path(data_dir: Path) -> Path:
    return data_dir / SECRET_FILE


def token_secret(data_dir: Path, *, create: bool = True) -> bytes:
    """The deployment's token secret: $SHEQUYUN_TOKEN_SECRET, else the key file (created once when `create`)."""
    env = os.environ.get(SECRET_VARIABLE)
    if env:
        if len(env) < 16:
            raise TokenSecretError(f"${SECRET_VARIABLE} must hold at least 16 characters")
        return env.encode("utf-8")
    path = secret_path(data_dir)
    if not path.exists():
        if not create:
            raise TokenSecretError(f"no token secret: set ${SECRET_VARIABLE} or build once to create {path}")
        _create_key_file(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenSecretError(f"{path} is readable by others (mode {stat.filemode(mode)}): chmod 600 it")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise TokenSecretError(f"{path} holds no key (expected 64 hex digits)")
    return key.encode("ascii")


def _create_key_file(path: Path) -> None:
    """Write a new key under a private name, then link it into place: two processes creating it at once agree on
    one key (the second link fails and that process reads the first's), and a crash never leaves a half key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def _readable(hex_digest: str) -> str:
    return hex_digest[:TOKEN_LENGTH].translate(str.maketrans(_DIGITS, _LETTERS))


def token(kind: str, value: str | None, secret: bytes) -> str | None:
    """The token of one value (None stays None)."""
    if value is None:
        return None
    message = f"{kind}:{str(value).strip().upper()}".encode()
    return _readable(hmac.new(secret, message, hashlib.sha256).hexdigest())


def key_id(secret: bytes) -> str:
    """A short name of the key (which key made a file's tokens), from which the key cannot be recovered."""
    return token("key-id", "key-id", secret) or ""


def token_sql(kind: str, expr: str, secret: bytes) -> str:
    """The DuckDB expression computing `token(kind, expr)` for a varchar expression."""
    key = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
    key = key.ljust(_BLOCK, b"\0")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    if not kind.replace("_", "").isalnum():
        raise ValueError(f"bad token kind {kind!r}")
    message = f"encode('{kind}:' || upper(trim(cast({expr} as varchar))))"
    inner = f"from_hex(sha256(from_hex('{ipad}') || {message}))"
    digest = f"sha256(from_hex('{opad}') || {inner})"
    return (f"(case when {expr} is null then null "
            f"else translate(left({digest}, {TOKEN_LENGTH}), '{_DIGITS}', '{_LETTERS}') end)")
