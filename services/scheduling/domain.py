"""Scheduling's rules, without I/O (SCH-1 to SCH-7).

Times of day are minutes since local midnight (``540`` is 09:00; an interval may end at ``1440``,
"24:00"). Weekly availability is kept in the agency's local time and turned into UTC instants
only for a given range of dates, one local day at a time, so a weekly 09:00 stays 09:00 local on
both sides of a daylight-saving change. Free times are computed with interval arithmetic over
sorted lists of ``(start, end)`` instants (intersections, unions and differences in one pass
each), never by stepping through minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casework.errors import (
    ClientInactive,
    PermissionDenied,
    PractitionerBusy,
    ValidationFailed,
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = 24 * 60
MAX_SESSION = timedelta(hours=24)
MAX_RANGE_DAYS = 92  # slots, matches: a quarter at most
INACTIVE = "inactive"
# what a calendar of sessions spans: beyond it, local-time arithmetic would leave Python's years
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)

Interval = tuple[datetime, datetime]


# --- clocks and weekly availability (SCH-1) --------------------------------------------------

def minutes_of(clock: str) -> int:
    """``"09:30"`` -> 570; ``"24:00"`` -> 1440 (the contract checks the format)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_of(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_minutes(weekly: dict) -> dict[str, list[tuple[int, int]]]:
    """The weekly availability as the contract loaded it (``{day: [{start, end}]}``), checked:
    each interval ends after it starts and no two of a day overlap (touching is fine, and they
    are joined). Refused with 422 saying which interval is inverted or overlaps which."""
    errors: dict[str, dict[str, list[str]]] = {}
    result: dict[str, list[tuple[int, int]]] = {}
    for day in WEEKDAYS:
        given = [(minutes_of(i["start"]), minutes_of(i["end"]), n)
                 for n, i in enumerate((weekly or {}).get(day) or [])]
        day_errors: dict[str, list[str]] = {}
        for start, end, n in given:
            if start >= 1440:
                day_errors.setdefault(str(n), []).append("start must be before 24:00")
            elif end <= start:
                day_errors.setdefault(str(n), []).append(
                    f"inverted or empty: {clock_of(start)}-{clock_of(end)} ends before it "
                    "starts")
        ordered = sorted((g for g in given if g[1] > g[0]), key=lambda g: (g[0], g[1]))
        for (s1, e1, n1), (s2, e2, n2) in zip(ordered, ordered[1:], strict=False):
            if s2 < e1:
                day_errors.setdefault(str(n2), []).append(
                    f"{clock_of(s2)}-{clock_of(e2)} overlaps {clock_of(s1)}-{clock_of(e1)} "
                    f"(interval {n1})")
        if day_errors:
            errors[day] = day_errors
            continue
        joined: list[tuple[int, int]] = []
        for start, end, _ in ordered:
            if joined and start <= joined[-1][1]:
                joined[-1] = (joined[-1][0], max(joined[-1][1], end))
            else:
                joined.append((start, end))
        if joined:
            result[day] = joined
    if errors:
        raise ValidationFailed("an availability interval is inverted or overlaps another",
                               {"weekly": errors})
    return result


def weekly_view(stored: dict | None) -> dict[str, list[dict]]:
    """Stored availability (``{day: [[start, end]]}`` in minutes) as the API shows it: every
    weekday, a blank one empty (unavailable)."""
    stored = stored or {}
    return {day: [{"start": clock_of(s), "end": clock_of(e)} for s, e in stored.get(day, [])]
            for day in WEEKDAYS}


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local date. A time that a spring change
    skips is read with the offset before the change (01:30 in London on the last Sunday of
    March is 02:30 BST); a time an autumn change repeats is its first occurrence."""
    day = day + timedelta(days=minutes // DAY)
    minutes %= DAY
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)
    return local.astimezone(UTC)


def local_range(first: date, last: date, zone: ZoneInfo) -> Interval:
    """From local midnight of ``first`` to local midnight after ``last``, in UTC."""
    return local_instant(first, 0, zone), local_instant(last + timedelta(days=1), 0, zone)


def expand(weekly: dict[str, Sequence[Sequence[int]]] | None, zone: ZoneInfo, start: datetime,
           end: datetime) -> list[Interval]:
    """The weekly availability as UTC intervals within ``[start, end)``: one local day at a
    time (a few intervals a day), merged across midnight."""
    if not weekly:
        return []
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    out: list[Interval] = []
    day = first
    while day <= last:
        for s, e in weekly.get(WEEKDAYS[day.weekday()], ()):
            a, b = max(local_instant(day, s, zone), start), min(local_instant(day, e, zone), end)
            if a < b:
                out.append((a, b))
        day += timedelta(days=1)
    return merge(out)


# --- interval arithmetic ---------------------------------------------------------------------

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Where both sorted, disjoint lists hold (one pass)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` without ``b`` (both sorted and disjoint; one pass)."""
    out: list[Interval] = []
    j = 0
    for start, end in a:
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > start:
                out.append((start, b[k][0]))
            start = max(start, b[k][1])
            if start >= end:
                break
            k += 1
        if start < end:
            out.append((start, end))
    return out


def long_enough(intervals: Iterable[Interval], duration: timedelta) -> list[Interval]:
    return [i for i in intervals if i[1] - i[0] >= duration]


def minutes_in(intervals: Iterable[Interval]) -> int:
    return int(sum((e - s).total_seconds() for s, e in intervals) // 60)


# --- slot suggestions and matches (SCH-6) ----------------------------------------------------

def _outside(day: date) -> bool:
    return not EARLIEST <= day <= LATEST


def _instant_outside(moment: datetime) -> bool:
    try:
        return _outside(moment.astimezone(UTC).date())
    except (OverflowError, ValueError):
        return True


def clamped(moment: datetime | None) -> datetime | None:
    """A list bound within the calendar (a bound beyond it selects the same sessions), in
    UTC: an instant near year 1 or 9999 stays one Python and PostgreSQL can both hold."""
    if moment is None:
        return None
    low = datetime(EARLIEST.year, 1, 1, tzinfo=UTC)
    high = datetime(LATEST.year, 12, 31, 23, 59, tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return low if moment.year < 5000 else high
    return min(max(moment, low), high)


def check_range(first: date, last: date, duration_minutes: int) -> None:
    errors = {}
    for name, day in (("from", first), ("to", last)):
        if _outside(day):
            errors[name] = [f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}"]
    if errors:
        raise ValidationFailed("a date is out of range", errors)
    if last < first:
        errors["to"] = [f"must not be before from ({first.isoformat()})"]
    elif (last - first).days + 1 > MAX_RANGE_DAYS:
        errors["to"] = [f"at most {MAX_RANGE_DAYS} days from from"]
    if errors:
        raise ValidationFailed("the date range is inverted or too long", errors)


def common_weekly(weeklies: Sequence[dict | None]) -> dict[str, list]:
    """The weekly times (local minutes) when every one of ``weeklies`` is available: all are
    in the agency's zone, so they are intersected once as a week, then expanded once, instead
    of expanding each person's availability over every day of the range."""
    common: dict[str, list] = {}
    for day in WEEKDAYS:
        times = None
        for weekly in weeklies:
            mine = [tuple(i) for i in (weekly or {}).get(day, ())]
            times = mine if times is None else intersect(times, mine)
            if not times:
                break
        if times:
            common[day] = times
    return common


def free_slots(availabilities: Sequence[list[Interval]], busy: Iterable[Interval],
               duration: timedelta) -> list[Interval]:
    """The times when every one of ``availabilities`` holds and no ``busy`` interval does, in
    windows at least ``duration`` long (each window is a maximal free stretch; any start from
    its start to its end minus the duration fits)."""
    if not availabilities:
        return []
    common = availabilities[0]
    for other in availabilities[1:]:
        if not common:
            break
        common = intersect(common, other)
    return long_enough(subtract(common, merge(busy)), duration)


def ranked_matches(client: list[Interval], client_busy: Iterable[Interval],
                   practitioners: dict[str, tuple[list[Interval], list[Interval]]],
                   duration: timedelta) -> list[dict]:
    """For each practitioner, the minutes of the range when the client and they are both
    available and neither has a session, counted in windows at least ``duration`` long; best
    first (then by id, for a stable order). Practitioners with no overlap are left out."""
    client_free = subtract(client, merge(client_busy))
    ranked = []
    for practitioner_id, (available, busy) in practitioners.items():
        common = long_enough(subtract(intersect(client_free, available), merge(busy)), duration)
        minutes = minutes_in(common)
        if minutes:
            ranked.append({"practitioner_id": practitioner_id, "overlap_minutes": minutes})
    ranked.sort(key=lambda m: (-m["overlap_minutes"], m["practitioner_id"]))
    return ranked


# --- coverage (SCH-7) ------------------------------------------------------------------------

def coverage(clients: Iterable[dict], practitioners: Iterable[dict]) -> list[dict]:
    """How many clients and practitioners are available in each hour of the agency's week
    (local time): someone counts in an hour when any part of it is in their availability."""
    counts = {(day, hour): [0, 0] for day in WEEKDAYS for hour in range(24)}
    for which, weeklies in ((0, clients), (1, practitioners)):
        for weekly in weeklies:
            for day in WEEKDAYS:
                hours = set()
                for start, end in (weekly or {}).get(day, ()):
                    hours.update(range(start // 60, -(-end // 60)))
                for hour in hours:
                    counts[(day, hour)][which] += 1
    return [{"weekday": day, "hour": hour, "clients": c, "practitioners": p}
            for (day, hour), (c, p) in counts.items()]


# --- sessions (SCH-2, SCH-4) -----------------------------------------------------------------

def check_session_times(starts_at: datetime, ends_at: datetime) -> None:
    errors = {name: [f"a time from {EARLIEST.isoformat()} to {LATEST.isoformat()}"]
              for name, moment in (("starts_at", starts_at), ("ends_at", ends_at))
              if _instant_outside(moment)}
    if errors:
        raise ValidationFailed("a time is out of range", errors)
    if ends_at <= starts_at:
        raise ValidationFailed("the session ends before it starts", {
            "ends_at": [f"must be after starts_at ({starts_at.isoformat()})"]})
    if ends_at - starts_at > MAX_SESSION:
        raise ValidationFailed("a session lasts at most 24 hours", {
            "ends_at": ["at most 24 hours after starts_at"]})


def occurrences(starts_at: datetime, ends_at: datetime, weeks: int,
                zone: ZoneInfo) -> list[Interval]:
    """A session and its weekly repeats: the same local wall-clock times each week, whatever
    daylight-saving change falls in between (a 09:00 session stays 09:00 local)."""
    local_start = starts_at.astimezone(zone).replace(tzinfo=None)
    local_end = ends_at.astimezone(zone).replace(tzinfo=None)
    out = []
    for week in range(weeks):
        shift = timedelta(weeks=week)
        out.append(((local_start + shift).replace(tzinfo=zone).astimezone(UTC),
                    (local_end + shift).replace(tzinfo=zone).astimezone(UTC)))
    return out


def check_known_clients(client_ids: Sequence[str], known: dict[str, dict],
                        field: str = "client_ids") -> None:
    """Every client is a live client record of the agency (422 otherwise)."""
    unknown = [c for c in client_ids if c not in known or known[c]["kind"] != "client"]
    if unknown:
        raise ValidationFailed("not a client of this agency", {
            field: [f"not a client of this agency: {c}" for c in unknown]})


def check_active_clients(client_ids: Sequence[str], known: dict[str, dict]) -> None:
    """SCH-4: inactive clients cannot be added to sessions or record payments (409
    ``client_inactive``)."""
    inactive = [c for c in client_ids if known[c]["status"] == INACTIVE]
    if inactive:
        raise ClientInactive(
            "inactive clients cannot be added to sessions or record payments: "
            + ", ".join(inactive), extra={"client_ids": inactive})


def check_clients(client_ids: Sequence[str], known: dict[str, dict],
                  field: str = "client_ids") -> None:
    check_known_clients(client_ids, known, field)
    check_active_clients(client_ids, known)


def check_practitioners(practitioner_ids: Sequence[str], active: set[str],
                        field: str = "practitioner_ids") -> None:
    unknown = [p for p in practitioner_ids if p not in active]
    if unknown:
        raise ValidationFailed("not an active staff user of this agency", {
            field: [f"not an active staff user of this agency: {p}" for p in unknown]})


def check_may_book(can_schedule_any: bool, client_ids: Sequence[str],
                   assigned: set[str]) -> None:
    """SCH-2: without ``schedule_any_client`` a staff member books only the clients they are a
    navigator of."""
    if can_schedule_any:
        return
    others = [c for c in client_ids if c not in assigned]
    if others:
        raise PermissionDenied(
            "without schedule_any_client you may only book clients assigned to you: "
            + ", ".join(others))


def conflicts(wanted: Sequence[Interval], booked: Iterable[dict]) -> list[dict]:
    """The booked sessions (``{session_id, practitioner_id, starts_at, ends_at}``) that overlap
    any wanted occurrence."""
    ordered = sorted(wanted)
    found = []
    for session in booked:
        if any(s < session["ends_at"] and session["starts_at"] < e for s, e in ordered):
            found.append(session)
    found.sort(key=lambda s: (s["starts_at"], s["practitioner_id"]))
    return found


def refuse_if_busy(found: list[dict], force: bool) -> None:
    """SCH-2: a practitioner already booked at that time is refused (409
    ``practitioner_busy``) unless the request says to book anyway (``force``)."""
    if found and not force:
        first = found[0]
        raise PractitionerBusy(
            f"practitioner {first['practitioner_id']} already has session "
            f"{first['session_id']} from {first['starts_at'].isoformat()} to "
            f"{first['ends_at'].isoformat()}; send force: true to book anyway",
            extra={"conflicts": [{
                "practitioner_id": str(c["practitioner_id"]), "session_id": str(c["session_id"]),
                "starts_at": c["starts_at"].astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "ends_at": c["ends_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")}
                for c in found[:20]]})
