"""SCH-5 and REC-9: payments per client (amount in minor units, currency, date, method,
optional session); records' delete asks scheduling, which answers from the sessions and
payments it really holds; scheduling's copy of a client follows its deletion."""

from tests.e2e.test_records_support import API, sql
from tests.e2e.test_scheduling_support import agency_admin, book, client
from tests.fixtures import wait_for


def pay(session, base, client_id, **extra):
    return session.post(f"{base}{API}/payments", json={
        "client_id": client_id, "amount_minor": 2500, "currency": "GBP",
        "paid_on": "2031-05-05", "method": "card", **extra})


def test_sch5_payments_are_recorded_listed_and_deleted_per_client(gateway_url, operator,
                                                                  engine):
    base = gateway_url
    admin = agency_admin(base, operator)
    ada, bea = client(admin, base), client(admin, base, first_name="Bea")
    session = book(admin, base, [ada["id"]], [admin.user_id], "2031-05-05T09:00:00Z",
                   "2031-05-05T10:00:00Z").json()
    paid = pay(admin, base, ada["id"], session_id=session["id"])
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert payment["amount_minor"] == 2500 and payment["currency"] == "GBP"
    assert payment["paid_on"] == "2031-05-05" and payment["method"] == "card"
    assert payment["session_id"] == session["id"] and payment["recorded_by"] == admin.user_id
    assert pay(admin, base, bea["id"], amount_minor=100, currency="EUR",
               method="cash").status_code == 201
    # the session must be one the client attends; the fields are checked
    assert pay(admin, base, bea["id"], session_id=session["id"]).status_code == 422
    assert pay(admin, base, ada["id"], amount_minor=0).status_code == 422
    assert pay(admin, base, ada["id"], currency="pounds").status_code == 422
    assert pay(admin, base, ada["id"], method="cheque").status_code == 422
    mine = admin.get(f"{base}{API}/payments", params={"client_id": ada["id"]}).json()
    assert [p["id"] for p in mine["items"]] == [payment["id"]]
    assert len(admin.get(f"{base}{API}/payments").json()["items"]) == 2
    published = sql(engine, "SELECT payload->'data' FROM scheduling.outbox WHERE routing_key"
                    " = 'payment_recorded' AND payload->'data'->>'payment_id' = :p",
                    p=payment["id"])
    assert published[0][0]["amount_minor"] == 2500 and published[0][0]["client_id"] == ada["id"]
    url = f"{base}{API}/payments/{payment['id']}"
    assert admin.delete(url).status_code == 204
    assert admin.delete(url).status_code == 404
    assert admin.get(f"{base}{API}/payments", params={"client_id": ada["id"]}).json()[
        "items"] == []
    other = agency_admin(base, operator)
    assert other.get(f"{base}{API}/payments").json()["items"] == []


def test_rec9_a_client_with_a_payment_is_not_deleted_until_the_payment_is(gateway_url,
                                                                          operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    record = client(admin, base)
    payment = pay(admin, base, record["id"]).json()
    refused = admin.delete(f"{base}{API}/records/{record['id']}")
    assert refused.status_code == 409
    assert refused.json()["code"] == "record_has_financial_links"
    assert "1 payment" in refused.json()["detail"]
    assert admin.delete(f"{base}{API}/payments/{payment['id']}").status_code == 204
    assert admin.delete(f"{base}{API}/records/{record['id']}").status_code == 204
    # scheduling follows the deletion: the record can no longer be booked, and again once
    # restored
    times = ("2031-05-05T09:00:00Z", "2031-05-05T10:00:00Z")
    availability = f"{base}{API}/records/{record['id']}/availability"
    assert wait_for(lambda: admin.get(availability).status_code == 404)
    refused = book(admin, base, [record["id"]], [admin.user_id], *times)
    assert refused.status_code == 422 and "client_ids" in refused.json()["errors"]
    assert admin.post(f"{base}{API}/records/{record['id']}/restore").status_code == 200
    assert wait_for(lambda: admin.get(availability).status_code == 200)
    assert book(admin, base, [record["id"]], [admin.user_id], *times).status_code == 201


def test_rec9_a_client_with_a_session_is_not_deleted_even_once_it_is_cancelled(gateway_url,
                                                                               operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    record = client(admin, base)
    session = book(admin, base, [record["id"]], [admin.user_id], "2031-05-05T09:00:00Z",
                   "2031-05-05T10:00:00Z").json()
    assert admin.delete(f"{base}{API}/sessions/{session['id']}").status_code == 204
    refused = admin.delete(f"{base}{API}/records/{record['id']}")
    assert refused.status_code == 409 and "1 session" in refused.json()["detail"]
