"""The records service's SQL (SQLAlchemy Core), one module per area. Every query takes the
caller's agency and filters on it (ID-1)."""
