"""The P1 baselines, measured side by side with the platform in the same run (QUALITY.md P1)."""

# the same columns and the same predicate as the records service's get_record read
SQL = (
    "SELECT id, kind, first_name, last_name, email, phones, preferred_contact_methods, "
    "date_of_birth, case_number, client_type_id, status, portal_status, custom_fields, "
    "created_at, updated_at FROM records.records "
    "WHERE id = %s AND organization_id = %s AND deleted_at IS NULL"
)
