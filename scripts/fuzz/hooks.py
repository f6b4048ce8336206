"""Schemathesis hooks for scripts/fuzz/run.sh (loaded through SCHEMATHESIS_HOOKS=hooks).

One hook, `map_case`: a `$skiptoken` is valid only with the `$orderby` it was issued for (decimal
tokens without it, `n…` tokens with `$orderby=displayName`), which OpenAPI can't say of two
parameters; a generated valid (positive) request that pairs a token with the other order gets the
order of its token, so that it is a request the document calls valid. Invalid (negative) requests
are left as they are: the pairing is refused (400) like any other invalid query, as the API suite
checks (`name_order_refuses_what_it_did_not_issue`).

One extra check, `refused_requests_change_nothing`: after every response the signed-in person's
memberships are read again (FUZZ_API, FUZZ_TOKEN). Only a 204 from leaveOrganization may change
them, and then by removing exactly that organization; a 201 from createRemovalRequest only by
setting that organization's `removalRequest` to the request answered, and a 204 from
cancelRemovalRequest only by setting it back to null. Any other response, a refused one above
all, must leave them as they were. A 404 `organizationNotFound` must be for an organization the
person is not in. The person's departures are read again too: a 204 from leaveOrganization must
add exactly one, first, for that organization, and a 204 from forgetDeparture remove exactly
that one; nothing else may change them. Sound only with one worker (run.sh passes --workers 1).
"""

import os

import requests
import schemathesis

API = os.environ["FUZZ_API"]
SESSION = requests.Session()
SESSION.headers["Authorization"] = f"Bearer {os.environ['FUZZ_TOKEN']}"


def memberships():
    """The person's organizations, id to organization, read page by page."""
    found = {}
    url = f"{API}/me/organizations?$top=999"
    while url:
        reply = SESSION.get(url, timeout=10)
        reply.raise_for_status()
        body = reply.json()
        for organization in body["value"]:
            found[organization["id"]] = organization
        url = body.get("@odata.nextLink")
    return found


def departures():
    """The person's departures, newest first, read page by page."""
    found = []
    url = f"{API}/me/departures?$top=999"
    while url:
        reply = SESSION.get(url, timeout=10)
        reply.raise_for_status()
        body = reply.json()
        found.extend(body["value"])
        url = body.get("@odata.nextLink")
    return found


SNAPSHOT = memberships()
DEPARTED = departures()
LEFT = set()


def departures_changed_only_as(case, response, left):
    """Checks the departures against DEPARTED after `case`, then takes them as the new snapshot."""
    global DEPARTED
    current = departures()
    before, DEPARTED = DEPARTED, current
    forgetting = case.method.upper() == "DELETE" and case.path == "/me/departures/{id}"
    if left is not None:
        if len(current) != len(before) + 1 or current[1:] != before:
            raise AssertionError(f"leaving {left} did not add exactly one departure")
        if current[0]["organizationId"] != left:
            raise AssertionError(f"leaving {left} recorded {current[0]['organizationId']}")
    elif forgetting and response.status_code == 204:
        raw = (case.path_parameters or {}).get("id")
        gone = raw.lower() if isinstance(raw, str) else None
        expected = [departure for departure in before if departure["id"] != gone]
        if len(expected) != len(before) - 1 or current != expected:
            raise AssertionError(f"forgetting {raw!r} did not remove exactly that departure")
    elif current != before:
        raise AssertionError(
            f"{case.method} {case.path} answered {response.status_code} and changed the departures"
        )


@schemathesis.hook
def map_case(ctx, case):
    meta = case.meta
    positive = meta is not None and meta.generation.mode.is_positive
    if not positive or case.method.upper() != "GET" or case.path != "/me/organizations":
        return case
    query = case.query or {}
    token = query.get("$skiptoken")
    if not isinstance(token, str):
        return case
    if token.startswith("n"):
        query["$orderby"] = "displayName"
    else:
        query.pop("$orderby", None)
    case.query = query
    return case


@schemathesis.check
def refused_requests_change_nothing(ctx, response, case):
    global SNAPSHOT
    current = memberships()
    leaving = case.method.upper() == "DELETE" and case.path == "/me/organizations/{id}"
    raw_id = (case.path_parameters or {}).get("id") if leaving else None
    org_id = raw_id.lower() if isinstance(raw_id, str) else None
    if leaving and response.status_code == 204:
        if org_id not in SNAPSHOT and org_id not in LEFT:
            raise AssertionError(f"204 for leaving {raw_id!r}, which the person was not in")
        expected = {k: v for k, v in SNAPSHOT.items() if k != org_id}
        if current != expected:
            raise AssertionError(f"after leaving {org_id} the memberships are not the rest")
        LEFT.add(org_id)
        SNAPSHOT = current
        departures_changed_only_as(case, response, org_id)
        return True
    departures_changed_only_as(case, response, None)
    removal = case.path.endswith("/removalRequests") or case.path.endswith("/{requestId}")
    if removal and response.status_code in (201, 204):
        raw = (case.path_parameters or {}).get("id")
        org_id = raw.lower() if isinstance(raw, str) else None
        expected = {k: dict(v) for k, v in SNAPSHOT.items()}
        if org_id not in expected:
            raise AssertionError(f"{response.status_code} for a removal request of {raw!r}, which the person is not in")
        if response.status_code == 201:
            if expected[org_id]["removalRequest"] is not None:
                raise AssertionError(f"201 for {org_id}, which had a pending request")
            expected[org_id]["removalRequest"] = response.json()
        else:
            expected[org_id]["removalRequest"] = None
        SNAPSHOT = current
        if current != expected:
            raise AssertionError(f"{case.method} {case.path} changed more than {org_id}'s removalRequest")
        return True
    if current != SNAPSHOT:
        gone = sorted(SNAPSHOT.keys() - current.keys())
        new = sorted(current.keys() - SNAPSHOT.keys())
        SNAPSHOT = current
        raise AssertionError(
            f"{case.method} {case.path} answered {response.status_code} and changed the "
            f"memberships (gone: {gone}, new: {new}, or an organization changed)"
        )
    if leaving and response.status_code == 404 and org_id in SNAPSHOT:
        raise AssertionError(f"404 for leaving {org_id}, which the person is in")
    return True
