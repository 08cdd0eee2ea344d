"""Accounts: users with roles, argon2 passwords, web sessions with CSRF tokens, API tokens, login throttling."""

from bordermark.accounts.roles import Principal, Role
from bordermark.accounts.service import (
    AccountError,
    authenticate,
    create_session,
    create_user,
    end_session,
    issue_token,
    resolve_session,
    resolve_token,
)

__all__ = [
    "AccountError",
    "Principal",
    "Role",
    "authenticate",
    "create_session",
    "create_user",
    "end_session",
    "issue_token",
    "resolve_session",
    "resolve_token",
]
