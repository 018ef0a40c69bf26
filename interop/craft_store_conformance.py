"""Drives craft-store 3.4.0 (snapcraft's store library) against a running snapdepot, in both
dialects, the way snapcraft does: U1 login minted by snapdepot, and the on-prem login; whoami,
register, upload a real snap, poll, release, progressive release, channel map, releases,
revisions, metadata, close. Every answer is checked against the keys snapcraft's and
craft-store's models accept (craft_store/models/, craft_store/publisher/_response.py).

Usage: python craft_store_conformance.py URL ADMIN_TOKEN SNAP_DIR SNAPDEPOT
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

os.environ.update({"CRAFT_STORE_RETRIES": "0", "CRAFT_STORE_BACKOFF": "0", "NO_PROXY": "127.0.0.1,localhost"})
for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
    os.environ.pop(proxy, None)

import requests  # noqa: E402
import craft_store  # noqa: E402
from craft_store import endpoints, errors  # noqa: E402
from craft_store.publisher import PublisherGateway  # noqa: E402
from craft_store.auth import Auth  # noqa: E402
import craft_store.creds  # noqa: E402

URL, ADMIN, SNAP_DIR, SNAPDEPOT = sys.argv[1:5]
passed = 0
failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}")


def keys_exactly(obj, required, optional=(), what=""):
    keys = set(obj)
    missing = set(required) - keys
    extra = keys - set(required) - set(optional)
    check(not missing and not extra, f"{what} keys (missing {sorted(missing)}, extra {sorted(extra)})")


def admin(method, path, body=None):
    response = requests.request(method, URL + path, json=body, headers={"Authorization": f"Bearer {ADMIN}"})
    response.raise_for_status()
    return response.json()


def pack(name, version):
    source = tempfile.mkdtemp()
    os.makedirs(os.path.join(source, "meta"))
    with open(os.path.join(source, "meta", "snap.yaml"), "w") as f:
        f.write(f"name: {name}\nversion: '{version}'\nsummary: s\ndescription: d\narchitectures: [amd64]\nbase: core22\n")
    with open(os.path.join(source, "hello"), "w") as f:
        f.write(f"hello {version}\n")
    out = os.path.join(SNAP_DIR, f"{name}_{version}_amd64.snap")
    subprocess.run([SNAPDEPOT, "pack", source, "-o", out], check=True, capture_output=True)
    return out


def check_channel_map(cm, what):
    keys_exactly(cm, ["channel-map", "revisions", "snap"], what=f"{what} top")
    for entry in cm["channel-map"]:
        keys_exactly(entry, ["architecture", "channel", "expiration-date", "progressive", "revision"], ["when"], f"{what} entry")
        keys_exactly(entry["progressive"], ["paused", "percentage"], ["current-percentage"], f"{what} progressive")
    for revision in cm["revisions"]:
        check({"revision", "version", "architectures"} <= set(revision) and revision["architectures"], f"{what} revision")
    snap = cm["snap"]
    check(len(snap["channels"]) >= 1, f"{what} snap.channels")
    for channel in snap["channels"]:
        keys_exactly(channel, ["name", "track", "risk", "branch", "fallback"], what=f"{what} channel")
    for track in snap.get("tracks", []):
        check({"name", "status", "creation-date", "version-pattern"} <= set(track), f"{what} track")


def check_releases(rel, what):
    for release in rel.get("releases", []):
        keys_exactly(release, ["architecture", "branch", "channel", "revision", "risk", "track", "when"],
                     ["expiration-date", "progressive"], f"{what} release")
        if "progressive" in release:
            keys_exactly(release["progressive"], ["paused", "percentage", "current-percentage"], what=f"{what} progressive")
    for revision in rel["revisions"]:
        keys_exactly(revision, ["architectures", "confinement", "created-at", "grade", "revision", "sha3-384", "size",
                                "status", "version"], ["attributes", "base", "build-url", "epoch"], f"{what} revision")


def upload_and_poll(client, dash, name, path):
    client.request("POST", dash + "/dev/api/snap-push/", json={"name": name, "dry_run": True}, headers={"Accept": "application/json"})
    upload_id = client.upload_file(filepath=__import__("pathlib").Path(path))
    check(bool(upload_id), "upload to /unscanned-upload/")
    status_url = client.request("POST", dash + "/dev/api/snap-push/", headers={"Accept": "application/json"}, json={
        "name": name, "series": "16", "updown_id": upload_id, "binary_filesize": os.path.getsize(path),
        "source_uploaded": False}).json()["status_details_url"]
    check(status_url.startswith("http://"), "status_details_url is absolute")
    for _ in range(30):
        status = client.request("GET", status_url).json()
        if status["processed"]:
            break
        time.sleep(1)
    check("code" in status and status["processed"], f"upload processed ({status})")
    return status


def u1_dialect():
    # As docs/publishing.md shows it: the account and its password made with snapdepot's own CLI.
    as_admin = dict(os.environ, SNAPDEPOT_URL=URL, SNAPDEPOT_TOKEN=ADMIN)
    subprocess.run([SNAPDEPOT, "accounts", "create", "dev", "--id", "dev-account", "--email", "dev@example.test"],
                   check=True, capture_output=True, env=as_admin)
    password = subprocess.run([SNAPDEPOT, "accounts", "token", "dev-account"], check=True, capture_output=True,
                              text=True, env=as_admin).stdout.strip()
    client = craft_store.UbuntuOneStoreClient(
        base_url=URL, storage_base_url=URL, auth_url=URL, endpoints=endpoints.U1_SNAP_STORE,
        application_name=f"snapcraft-{uuid.uuid4().hex}", user_agent="snapcraft/9.0.1 test", ephemeral=True)
    credentials = client.login(permissions=["package_access", "package_manage", "package_push", "package_register",
                                            "package_release", "package_update"],
                               description="snapcraft@test", ttl=3600, email="dev@example.test", password=password)
    decoded = json.loads(base64.b64decode(credentials))
    check(decoded["t"] == "u1-macaroon", "U1 login minted locally")
    os.environ["SNAPCRAFT_STORE_CREDENTIALS"] = credentials
    client = craft_store.UbuntuOneStoreClient(
        base_url=URL, storage_base_url=URL, auth_url=URL, endpoints=endpoints.U1_SNAP_STORE,
        application_name=f"snapcraft-{uuid.uuid4().hex}", user_agent="snapcraft/9.0.1 test",
        environment_auth="SNAPCRAFT_STORE_CREDENTIALS")
    who = client.whoami()
    check(who["account"]["id"] == "dev-account" and who["account"]["username"] == "dev" and "email" in who["account"], "whoami")
    name = "hello-u1"
    client.request("POST", URL + "/dev/api/register-name/", json={"snap_name": name, "is_private": False, "series": "16"})
    account = client.request("GET", URL + "/dev/api/account", headers={"Accept": "application/json"}).json()
    entry = account["snaps"]["16"][name]
    check(entry["status"] == "Approved" and len(entry["snap-id"]) == 32, "account lists the registered name")
    status = upload_and_poll(client, URL, name, pack(name, "1.0"))
    revision = status["revision"]
    check(revision == 1, "first revision is 1")
    for channel in ("latest/edge", "latest/stable"):
        client.request("POST", URL + "/dev/api/snap-release/", json={"name": name, "revision": str(revision), "channels": [channel]})
    second = upload_and_poll(client, URL, name, pack(name, "1.1"))["revision"]
    client.request("POST", URL + "/dev/api/snap-release/", json={
        "name": name, "revision": str(second), "channels": ["latest/candidate"],
        "progressive": {"percentage": 30, "paused": False}})
    cm = client.request("GET", URL + f"/api/v2/snaps/{name}/channel-map", headers={"Accept": "application/json"}).json()
    check_channel_map(cm, "channel-map")
    progressive = [e for e in cm["channel-map"] if e["progressive"]["percentage"] is not None]
    check(len(progressive) == 1 and progressive[0]["progressive"]["percentage"] == 30, "progressive 30%")
    rel = client.request("GET", URL + f"/api/v2/snaps/{name}/releases",
                         headers={"Accept": "application/json", "Content-Type": "application/json"}).json()
    check_releases(rel, "releases")
    client.request("POST", URL + f"/dev/api/snaps/{entry['snap-id']}/metadata",
                   headers={"Content-Type": "application/json", "Accept": "application/json"},
                   json={"summary": "s", "description": "d", "title": "Hello"})
    binary = client.request("GET", URL + f"/dev/api/snaps/{entry['snap-id']}/binary-metadata", headers={"Accept": "application/json"})
    check(binary.json() == [], "binary-metadata")
    client.request("POST", URL + f"/dev/api/snaps/{entry['snap-id']}/close", json={"channels": ["latest/edge"]})
    cm = client.request("GET", URL + f"/api/v2/snaps/{name}/channel-map", headers={"Accept": "application/json"}).json()
    check(all(e["channel"] != "latest/edge" for e in cm["channel-map"]), "edge closed")
    mismatch = upload_and_poll(client, URL, name, pack("other-name", "1.0"))
    check(mismatch["errors"] and "names \"other-name\"" in mismatch["errors"][0]["message"], "wrong snap.yaml name refused")
    validation_set(client, name, entry["snap-id"])
    refresh(client)
    return name, entry["snap-id"]


def refresh(client):
    """The store runs with 4 s discharges: an expired one gets macaroon-needs-refresh, and
    craft-store refreshes it at the store's Ubuntu One endpoint and retries."""
    before = json.loads(base64.b64decode(os.environ["SNAPCRAFT_STORE_CREDENTIALS"]))["v"]["d"]
    time.sleep(5)
    credentials = json.loads(base64.b64decode(os.environ["SNAPCRAFT_STORE_CREDENTIALS"]))
    expired = requests.get(URL + "/api/v2/tokens/whoami", headers={
        "Authorization": "Macaroon root={}, discharge={}".format(credentials["v"]["r"], bound_discharge(credentials))})
    check(expired.status_code == 401 and expired.json()["error_list"][0]["code"] == "macaroon-needs-refresh",
          "an expired discharge asks for a refresh")
    check(client.whoami()["account"]["id"] == "dev-account", "craft-store refreshed the discharge and retried")
    check(before, "refresh round trip")


def bound_discharge(credentials):
    from pymacaroons import Macaroon
    root = Macaroon.deserialize(credentials["v"]["r"])
    return root.prepare_for_request(Macaroon.deserialize(credentials["v"]["d"])).serialize()


VALIDATION_HEADERS = {"account-id", "name", "sequence", "snaps", "authority-id", "series", "timestamp", "type"}


def validation_set(client, name, snap_id):
    keys = tempfile.mkdtemp()
    environment = dict(os.environ, SNAPDEPOT_KEYS=keys, SNAPDEPOT_URL=URL, SNAPDEPOT_TOKEN=ADMIN)
    subprocess.run([SNAPDEPOT, "key", "create", "vs-key", "--bits", "2048"], check=True, capture_output=True, env=environment)
    subprocess.run([SNAPDEPOT, "key", "register", "vs-key", "--account", "dev-account"], check=True, capture_output=True, env=environment)
    built = client.request("POST", URL + "/api/v2/validation-sets/build-assertion", json={
        "account-id": "dev-account", "name": "vs1", "sequence": 1,
        "snaps": [{"name": name, "id": snap_id, "presence": "required", "revision": 1}]}).json()
    check(VALIDATION_HEADERS <= set(built) and built["type"] == "validation-set", "validation-set build-assertion")
    headers = os.path.join(keys, "vs1.json")
    with open(headers, "w") as f:
        json.dump(built, f)
    signed = subprocess.run([SNAPDEPOT, "validation-set", "sign", headers, "-k", "vs-key"], check=True,
                            capture_output=True, env=environment).stdout
    published = client.request("POST", URL + "/api/v2/validation-sets", data=signed, headers={
        "Content-Type": "application/x.ubuntu.assertion", "Accept": "application/json"}).json()
    check(len(published["assertions"]) == 1, "validation set published: exactly one assertion")
    for item in published["assertions"]:
        keys_exactly(item["headers"], VALIDATION_HEADERS, ["revision", "sign-key-sha3-384"], "published validation-set headers")
        check(all(isinstance(snap.get("revision", 0), int) for snap in item["headers"]["snaps"]), "snap revisions are numbers")
    listed = client.request("GET", URL + "/api/v2/validation-sets",
                            headers={"Accept": "application/json", "Content-Type": "application/json"}).json()
    check([a["headers"]["name"] for a in listed["assertions"]] == ["vs1"], "validation sets listed")
    one = client.request("GET", URL + "/api/v2/validation-sets/vs1?sequence=all").json()
    check(len(one["assertions"]) == 1 and one["assertions"][0]["headers"]["sequence"] == "1", "validation set fetched")
    served = requests.get(URL + "/v2/assertions/validation-set/16/dev-account/vs1?sequence=latest",
                          headers={"Accept": "application/x.ubuntu.assertion"})
    check(served.status_code == 200 and served.text.startswith("type: validation-set"), "assertion service serves the set")
    missing = requests.get(URL + "/v2/assertions/account/nosuch", headers={"Accept": "application/x.ubuntu.assertion"})
    check(missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"
          and missing.json()["error-list"][0]["code"] == "not-found", "assertion service not-found")


def security(name, snap_id):
    admin("POST", "/admin/v1/accounts", {"username": "mallory", "id": "mallory"})
    token = admin("POST", "/admin/v1/accounts/mallory/tokens", {})["token"]
    os.environ["MALLORY"] = base64.b64encode(json.dumps({"t": "macaroon", "v": token}).encode()).decode()
    client = craft_store.StoreClient(base_url=URL, storage_base_url=URL, endpoints=endpoints.SNAP_STORE,
                                     application_name=f"mallory-{uuid.uuid4().hex}", user_agent="t",
                                     environment_auth="MALLORY")
    for what, call in [
        ("release", lambda: client.request("POST", URL + "/dev/api/snap-release/", json={"name": name, "revision": "1", "channels": ["edge"]})),
        ("close", lambda: client.request("POST", URL + f"/dev/api/snaps/{snap_id}/close", json={"channels": ["latest/stable"]})),
        ("upload", lambda: client.request("POST", URL + "/dev/api/snap-push/", json={"name": name, "dry_run": True})),
    ]:
        try:
            call()
            check(False, f"another publisher's {what} is refused")
        except errors.StoreServerError as error:
            check(error.response.status_code == 403 and "belongs to another publisher" in str(error), f"another publisher's {what} is refused (403)")
    credentials = json.loads(base64.b64decode(os.environ["SNAPCRAFT_STORE_CREDENTIALS"]))
    root = credentials["v"]["r"]
    tampered = root[:-6] + ("A" if root[-6] != "A" else "B") + root[-5:]
    response = requests.get(URL + "/api/v2/tokens/whoami",
                            headers={"Authorization": f"Macaroon root={tampered}, discharge={credentials['v']['d']}"})
    check(response.status_code == 401, "a tampered macaroon is refused (401)")


def restricted_login(name, snap_id):
    """`snapcraft export-login --acls … --snaps … --channels …`: the store enforces what the login
    was limited to, refuses caveats it does not know, and does not let one account take over
    another's login or refresh a discharge it never signed."""
    from pymacaroons import Macaroon
    from craft_store.endpoints import Package
    password = admin("POST", "/admin/v1/accounts/dev-account/tokens", {"description": "restricted"})["token"]
    client = craft_store.UbuntuOneStoreClient(
        base_url=URL, storage_base_url=URL, auth_url=URL, endpoints=endpoints.U1_SNAP_STORE,
        application_name=f"snapcraft-{uuid.uuid4().hex}", user_agent="snapcraft/9.0.1 test", ephemeral=True)
    credentials = client.login(permissions=["package_access", "package_push", "package_release"],
                               packages=[Package(package_type="snap", package_name=name)], channels=["edge"],
                               description="ci@test", ttl=3600, email="dev@example.test", password=password)
    os.environ["RESTRICTED"] = credentials
    client = craft_store.UbuntuOneStoreClient(
        base_url=URL, storage_base_url=URL, auth_url=URL, endpoints=endpoints.U1_SNAP_STORE,
        application_name=f"snapcraft-{uuid.uuid4().hex}", user_agent="snapcraft/9.0.1 test",
        environment_auth="RESTRICTED")
    who = client.whoami()
    check(who["permissions"] == ["package_access", "package_push", "package_release"] and who["packages"] == [name]
          and who["channels"] == ["edge"], f"whoami shows the login's limits ({who})")
    released = client.request("POST", URL + "/dev/api/snap-release/", json={"name": name, "revision": "1", "channels": ["edge"]})
    check(released.status_code == 200 and "edge" in released.text,
          f"a restricted login releases where it may (edge: {released.text})")
    for what, call, reason in [
        ("a release to stable", lambda: client.request("POST", URL + "/dev/api/snap-release/", json={
            "name": name, "revision": "1", "channels": ["latest/stable"]}), "may release only to edge"),
        ("a new name", lambda: client.request("POST", URL + "/dev/api/register-name/", json={
            "snap_name": "hello-restricted", "series": "16"}), "package_register"),
        ("a metadata change", lambda: client.request("POST", URL + f"/dev/api/snaps/{snap_id}/metadata", headers={
            "Content-Type": "application/json", "Accept": "application/json"}, json={"summary": "x"}), "package_update"),
    ]:
        try:
            call()
            check(False, f"{what} is refused to a restricted login")
        except errors.StoreServerError as error:
            check(error.response.status_code == 403 and reason in str(error), f"{what} is refused to a restricted login (403, {reason})")

    stored = json.loads(base64.b64decode(credentials))["v"]
    root = Macaroon.deserialize(stored["r"])
    # A caveat the store does not know narrows nothing it can enforce: the login is refused.
    attenuated = root.copy()
    attenuated.add_first_party_caveat("snapdepot-account-is mallory")
    discharge = Macaroon.deserialize(stored["d"])
    unknown = requests.get(URL + "/api/v2/tokens/whoami", headers={"Authorization": "Macaroon root={}, discharge={}".format(
        attenuated.serialize(), attenuated.prepare_for_request(discharge).serialize())})
    check(unknown.status_code == 401 and "does not know" in unknown.text, f"an unknown caveat is refused (401: {unknown.text})")
    # A holder may narrow a login with the store's own caveats, and it is enforced.
    narrowed = root.copy()
    narrowed.add_first_party_caveat("snapdepot-permissions package_access")
    response = requests.post(URL + "/dev/api/snap-release/", json={"name": name, "revision": "1", "channels": ["edge"]},
                             headers={"Authorization": "Macaroon root={}, discharge={}".format(
                                 narrowed.serialize(), narrowed.prepare_for_request(discharge).serialize())})
    check(response.status_code == 403 and "package_release" in response.text, "a narrowed login cannot release (403)")
    # Another account's password cannot take this login over.
    caveat_id = root.third_party_caveats()[0].caveat_id
    mallory = admin("POST", "/admin/v1/accounts/mallory/tokens", {})["token"]
    taken = requests.post(URL + "/api/v2/tokens/discharge", json={"email": "mallory", "password": mallory, "caveat_id": caveat_id})
    check(taken.status_code == 401, f"a login is not re-bound to another account (401: {taken.text})")
    # A refresh needs a discharge this store signed, not just the caveat id the root shows.
    forged = Macaroon(location="snapdepot-sso", identifier=caveat_id, key="not the caveat key").serialize()
    refused = requests.post(URL + "/api/v2/tokens/refresh", json={"discharge_macaroon": forged})
    check(refused.status_code == 401, f"a forged discharge is not refreshed (401: {refused.text})")
    genuine = requests.post(URL + "/api/v2/tokens/refresh", json={"discharge_macaroon": stored["d"]})
    check(genuine.status_code == 200 and "discharge_macaroon" in genuine.json(), "the login's own discharge is refreshed")
    # The admin sees the login (never the macaroon) and revokes it: it stops working at once.
    logins = [t for t in admin("GET", "/admin/v1/tokens") if t["kind"] == "login" and t["description"].startswith("ci@test")]
    check(len(logins) == 1 and logins[0]["account-id"] == "dev-account" and "package_release" in logins[0]["description"]
          and stored["r"] not in json.dumps(logins), f"the login is listed by id ({logins})")
    requests.delete(URL + f"/admin/v1/tokens/{logins[0]['id']}", headers={"Authorization": f"Bearer {ADMIN}"}).raise_for_status()
    try:
        client.whoami()
        check(False, "a revoked login is refused")
    except errors.StoreServerError as error:
        check(error.response.status_code == 401, "a revoked login is refused (401)")


def onprem_dialect():
    exchanged = requests.post(URL + "/v1/tokens/offline/exchange", json={"macaroon": ADMIN}).json()["macaroon"]
    admin("POST", "/admin/v1/accounts", {"username": "onprem", "id": "onprem"})
    publisher = admin("POST", "/admin/v1/accounts/onprem/tokens", {})["token"]
    exchanged = requests.post(URL + "/v1/tokens/offline/exchange", json={"macaroon": publisher}).json()["macaroon"]
    os.environ["ONPREM"] = base64.b64encode(json.dumps({"t": "macaroon", "v": exchanged}).encode()).decode()

    class OnPrem(craft_store.BaseClient):
        """snapcraft's OnPremClient: opaque macaroon, lower-case scheme, v1 endpoints."""

        def _get_authorization_header(self):
            return f"macaroon {craft_store.creds.unmarshal_candid_credentials(self._auth.get_credentials())}"

        def _get_discharged_macaroon(self, root_macaroon, **kwargs):
            return root_macaroon

    on_prem_endpoints = endpoints.Endpoints(namespace="snap", whoami="/v1/tokens/whoami", tokens="",
                                            tokens_exchange="/v1/tokens/offline/exchange", valid_package_types=["snap"],
                                            list_releases_model=craft_store.models.SnapListReleasesModel)
    client = OnPrem(base_url=URL, storage_base_url=URL, endpoints=on_prem_endpoints,
                    application_name=f"onprem-{uuid.uuid4().hex}", user_agent="snapcraft/9.0.1 test",
                    environment_auth="ONPREM")
    check(client.whoami()["account"]["id"] == "onprem", "on-prem whoami")
    name = "hello-onprem"
    client.register_name(name, entity_type="snap")
    names = client.list_registered_names()
    check(any(n.name == name for n in names), "list registered names")
    path = pack(name, "2.0")
    upload_id = client.upload_file(filepath=__import__("pathlib").Path(path))
    from craft_store.models.revisions_model import RevisionsRequestModel
    status_url = client.notify_revision(name=name, revision_request=RevisionsRequestModel(upload_id=upload_id)).status_url
    check(status_url.startswith("/"), "on-prem status-url is a path")
    review = client.request("GET", URL + status_url).json()["revisions"]
    check(len(review) == 1 and review[0]["status"] == "approved", "on-prem upload approved")
    from craft_store.models.release_request_model import ReleaseRequestModel
    client.release(name=name, release_request=[
        ReleaseRequestModel(channel=channel, revision=review[0]["revision"], resources=[])
        for channel in ("latest/edge", "latest/stable")])
    releases = client.get_list_releases(name=name)
    check(len(releases.channel_map) == 2, "v1 releases parsed by craft-store's model")
    check([r.revision for r in client.list_revisions(name)] == [review[0]["revision"]], "on-prem list_revisions")
    raw = client.request("GET", URL + f"/v1/snap/{name}/releases").json()
    for entry in raw["channel-map"]:
        keys_exactly(entry, ["architecture", "base", "channel", "expiration-date", "progressive", "revision", "when"], what="v1 channel-map entry")
    client.request("POST", URL + f"/v1/snap/{name}/releases", json=[{"channel": "latest/edge", "revision": None}])
    releases = client.get_list_releases(name=name)
    check([c.channel for c in releases.channel_map] == ["latest/stable"], "v1 close with a null revision")
    revisions = client.request("GET", URL + f"/v1/snap/{name}/revisions", headers={"Accept": "application/json"}).json()["revisions"]
    for revision in revisions:
        keys_exactly(revision, ["architectures", "confinement", "created-at", "grade", "revision", "sha3-384", "size",
                                "status", "version"], ["attributes", "base", "build-url", "epoch"], "v1 revision")
    gateway = PublisherGateway(URL, "snap", Auth(f"pgw-{uuid.uuid4().hex}", URL, environment_auth="ONPREM"))
    check(gateway.whoami()["account"]["id"] == "onprem", "PublisherGateway whoami")
    check(len(gateway.list_revisions(name)) >= 1, "PublisherGateway list_revisions")
    check(gateway.create_tracks(name, {"name": "2.0"}) == 1, "PublisherGateway create_tracks")
    gateway_name = "hello-gateway"
    registered_id = gateway.register_name(gateway_name, entity_type="snap")
    check(len(registered_id) == 32, "PublisherGateway register_name")
    check(any(n.name == gateway_name for n in gateway.list_registered_names()), "PublisherGateway list_registered_names")
    check(gateway.get_package_metadata(gateway_name).name == gateway_name, "PublisherGateway get_package_metadata")
    check(gateway.unregister_name(gateway_name) == registered_id, "PublisherGateway unregister_name")
    released = gateway.release(name, [{"channel": "latest/beta", "revision": review[0]["revision"]}])
    check(len(released) == 1 and released[0].revision == review[0]["revision"], "PublisherGateway release")
    client.request("POST", URL + f"/v1/snap/{name}/releases", json=[{"channel": "latest/beta", "revision": None}])
    published = gateway.list_releases(name)
    check([c.channel for c in published.channel_map] == ["latest/stable"] and published.channel_map[0].base is None,
          "PublisherGateway list_releases of a snap with a base")
    client.register_name("hello-unregister", entity_type="snap")
    removed = client.unregister_name("hello-unregister")
    check(len(removed) == 32, "unregister a name without revisions")
    try:
        client.unregister_name(name)
        check(False, "a name with revisions cannot be unregistered")
    except errors.StoreServerError as error:
        check(error.response.status_code == 409, "a name with revisions cannot be unregistered (409)")
    client.logout()
    try:
        client.whoami()
        check(False, "after logout the client has no credentials")
    except errors.CredentialsUnavailable:
        check(True, "after logout the client has no credentials")


name, snap_id = u1_dialect()
security(name, snap_id)
restricted_login(name, snap_id)
onprem_dialect()
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
