"""The notifications service's SQL, one module per area."""
