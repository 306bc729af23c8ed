"""Invitations' SQL (SQLAlchemy Core), one module per area. Every staff query takes the caller's
agency and filters on it (ID-1)."""
