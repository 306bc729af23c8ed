"""The P1 baselines, measured side by side with the platform in the same run (QUALITY.md P1).

Both baselines run the same read as the records service's ``get_record``: the REC-1 view
statement (the record with its client type, warning indicators, groups, navigators and image
flag, aggregated in one statement), taken from the service's own repository so that the two can
never drift apart. They leave out what the bar is about: authentication and the audit row (the
service writes it in the same statement, as a CTE) — "auth and audit add no broker round trip".
Parameters are positional: record id, then organization id.
"""

import re

from services.records.queries.records import FOUND_LIVE, VIEW_SQL

SQL = VIEW_SQL.format(found=FOUND_LIVE, audit="").replace(
    ":record_id", "%s", 1).replace(":organization_id", "%s", 1)
assert not re.search(r"(?<!:):[a-z_]+", SQL), "every parameter of the view must be positional"
