import AsyncHTTPClient
import DeviceAgent
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The dashboard as a person sees it: each page loaded in headless Chromium (Debian's `chromium`)
/// against the workshop's world with a registered device and a rollout; the test reads the DOM
/// Chromium built and keeps a screenshot of every page in `.build/dashboard-screenshots/`.
@Suite(
    .serialized,
    .enabled(
        if: SnapdSource.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"),
        "needs snapd's source and chromium: run scripts/test"))
struct DashboardTests {
    typealias Device = AgentTests.Device

    static let screenshots = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("dashboard-screenshots")

    /// The DOM Chromium built for `path`, and a screenshot of it saved as `name`.png.
    static func load(_ path: String, on device: Device, screenshot name: String) throws -> String {
        let url = device.world.server.url + path
        let common = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1000",
        ]
        let dom = try runCommand("/usr/bin/chromium", common + ["--dump-dom", url], timeout: .seconds(120))
        try #require(dom.status == 0, "chromium could not load \(url): \(dom.output.suffix(500))")
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        let file = screenshots.appendingPathComponent("\(name).png")
        try? FileManager.default.removeItem(at: file)
        // Some virtual time, so that the live chart has drawn a few samples.
        let shot = try runCommand(
            "/usr/bin/chromium", common + ["--virtual-time-budget=20000", "--screenshot=\(file.path)", url],
            timeout: .seconds(120))
        #expect(shot.status == 0 && FileManager.default.fileExists(atPath: file.path), "\(shot.output.suffix(500))")
        return dom.output
    }

    /// The text of the element with this id, tags stripped, entities left as Chromium wrote them.
    static func element(_ id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tail = dom[start.upperBound...]
        guard let open = tail.firstIndex(of: ">") else { return nil }
        let rest = tail[tail.index(after: open)...]
        let tag = String(dom[..<start.lowerBound].split(separator: "<").last?.split(separator: " ").first ?? "")
        guard let close = rest.range(of: "</\(tag)>") else { return nil }
        return String(rest[..<close.lowerBound])
    }

    @Test func everyPageShowsWhatTheStoreHoldsAndEscapesWhatPublishersWrote() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let server = device.world.server
        let admin = server.adminToken
        try #require(try device.agent(["boot"]).status == 0)
        try #require(try device.agent(["refresh"]).status == 0)
        let released = try await server.json(
            .POST, "/admin/v1/snaps/myawesomesnap/releases", token: admin,
            ["revision": 2, "channels": ["stable"], "progressive": 40])
        try #require(released.status == 200, "\(released.text)")
        let status = try await server.request(.GET, "/admin/v1/snaps/myawesomesnap/status", token: admin)
        let snapID = try #require(try status.json()["snap-id"] as? String)
        let hostile = "<script>document.title='owned'</script> & friends"
        let listed = try await server.json(
            .PUT, "/dev/api/snaps/\(snapID)/metadata", token: admin, ["summary": hostile])
        try #require((200..<300).contains(listed.status), "\(listed.text)")
        _ = try await server.json(
            .POST, "/admin/v1/snaps", token: admin,
            ["name": "secret-depot", "publisher": "acme-brand", "is-private": true])

        let overview = try Self.load("/", on: device, screenshot: "overview")
        #expect(Self.element("device-count", in: overview)?.contains("<b>1</b>") == true, "\(overview.prefix(3000))")
        #expect(Self.element("rollout-count", in: overview)?.contains("<b>1</b>") == true)
        #expect(Self.element("models", in: overview)?.contains("my-pi3-amd64") == true)
        #expect(overview.contains("40 %"), "the rollout's share")
        #expect(
            Self.element("latest-releases", in: overview)?.contains("progressive r2 in latest/stable to 40 %") == true)

        let search = try Self.load("/dashboard/snaps?q=awesome", on: device, screenshot: "snaps")
        let rows = try #require(Self.element("snaps", in: search))
        #expect(rows.contains(">myawesomesnap<") && rows.contains(">mysecondawesomesnap<"), "\(rows)")
        #expect(!rows.contains(">pi3<") && !rows.contains("secret-depot"), "\(rows)")
        // What a publisher wrote is text on the page, never markup.
        #expect(rows.contains("&lt;script&gt;document.title='owned'&lt;/script&gt; &amp; friends"), "\(rows)")
        let all = try Self.load("/dashboard/snaps", on: device, screenshot: "snaps-all")
        #expect(!all.contains("secret-depot"), "a private snap is nobody's to browse")

        let snap = try Self.load("/dashboard/snaps/myawesomesnap", on: device, screenshot: "snap")
        #expect(!snap.contains("<title>owned"), "the summary's script did not run")
        #expect(Self.element("summary", in: snap)?.contains("&lt;script&gt;") == true)
        let channels = try #require(Self.element("channels", in: snap))
        #expect(channels.contains("r2 to 40 %"), "\(channels)")
        #expect(channels.contains("↑"), "a risk that follows a safer one")
        let revisions = try #require(Self.element("revisions", in: snap))
        #expect(revisions.contains("<td class=\"num\">2</td>") && revisions.contains("KB"), "\(revisions)")
        #expect(Self.element("history", in: snap)?.contains("progressive r2 in latest/stable to 40 %") == true)

        let serial = try #require(try DeviceState.read(from: device.folder).serial)
        let devices = try Self.load("/dashboard/devices?model=my-pi3-amd64", on: device, screenshot: "devices")
        #expect(Self.element("devices", in: devices)?.contains(serial) == true, "\(devices.suffix(2000))")
        #expect(Self.element("device-range", in: devices)?.contains("of 1,") == true)
        let installedNow = try #require(try device.snaps()["myawesomesnap"]?.current)
        #expect(
            Self.element("devices", in: devices)?.contains("myawesomesnap r\(installedNow)") == true,
            "what the device runs")
        let running = try Self.load(
            "/dashboard/devices?snap=myawesomesnap&revision=\(installedNow)", on: device, screenshot: "devices-running")
        #expect(Self.element("devices", in: running)?.contains(serial) == true)
        let notRunning = try Self.load(
            "/dashboard/devices?snap=myawesomesnap&revision=\(installedNow + 1)", on: device,
            screenshot: "devices-not-running")
        #expect(Self.element("device-range", in: notRunning)?.contains("No device matches") == true)
        let none = try Self.load("/dashboard/devices?model=nosuch", on: device, screenshot: "devices-none")
        #expect(Self.element("device-range", in: none)?.contains("No device matches") == true)

        let rollouts = try Self.load("/dashboard/rollouts", on: device, screenshot: "rollouts")
        #expect(rollouts.contains("latest/stable") && rollouts.contains("40 %") && rollouts.contains("rolling"))
        #expect(try await server.request(.GET, "/dashboard/snaps/secret-depot").status == 404)

        // The workshop's my-pi3 models, checked as a device checks them, with their text.
        let models = try Self.load("/dashboard/models", on: device, screenshot: "models")
        let pi3 = try #require(Self.element("model-acme-brand-my-pi3", in: models), "\(models.prefix(2000))")
        #expect(pi3.contains("Verifies through") && pi3.contains("type: model"), "\(pi3.prefix(1500))")
        #expect(pi3.contains("account-key") && pi3.contains("(trusted root)"), "\(pi3.prefix(1500))")

        // States: seen today, not silent; then a revision whose health check fails makes it failing.
        let today = try Self.load("/dashboard/devices?state=seen-today", on: device, screenshot: "devices-today")
        #expect(Self.element("devices", in: today)?.contains(serial) == true)
        let silent = try Self.load("/dashboard/devices?state=silent", on: device, screenshot: "devices-silent")
        #expect(Self.element("device-range", in: silent)?.contains("No device matches") == true)
        let broken = try device.uploadVariant(of: "myawesomesnap") { source in
            let hooks = source.appendingPathComponent("meta/hooks")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            let hook = hooks.appendingPathComponent("check-health")
            try Data("#!/bin/sh\necho \"database unreachable\" >&2\nexit 3\n".utf8).write(to: hook)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        }
        #expect(try device.agent(["refresh"]).status != 0)
        let failing = try Self.load("/dashboard/devices?state=failing", on: device, screenshot: "devices-failing")
        let failingRows = try #require(Self.element("devices", in: failing))
        #expect(failingRows.contains(serial) && failingRows.contains("r\(broken)"), "\(failingRows)")
        #expect(failingRows.contains("database unreachable"), "the agent's reason: \(failingRows)")
        print("dashboard screenshots: \(Self.screenshots.path)")
    }

    /// A browser's exchange with the dashboard's forms: cookies kept, forms posted as browsers post them.
    struct Browser {
        /// Redirects not followed: the test reads each 303 and the cookies it sets.
        static let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let server: ServerProcess
        var cookies: [String: String] = [:]

        mutating func send(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil) async throws
            -> ServerProcess.Reply
        {
            var headers = ["Accept": "text/html"]
            if !cookies.isEmpty {
                headers["Cookie"] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
            }
            var body: Data?
            if let form {
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                var components = URLComponents()
                components.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
                body = Data((components.percentEncodedQuery ?? "").utf8)
            }
            var request = HTTPClientRequest(url: server.url + path)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await Self.client.execute(request, timeout: .seconds(60))
            let collected = try await response.body.collect(upTo: 16 << 20)
            let reply = ServerProcess.Reply(
                status: Int(response.status.code), headers: response.headers, body: Data(collected.readableBytesView))
            for cookie in reply.headers[canonicalForm: "Set-Cookie"] {
                let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                cookies[pair[0]] = pair[1].isEmpty ? nil : pair[1]
            }
            return reply
        }

        /// The CSRF token a page's form carries.
        static func csrf(in page: String) -> String? {
            guard let field = page.range(of: #"name="csrf" value=""#) else { return nil }
            return String(page[field.upperBound...].prefix { $0 != "\"" })
        }

        mutating func signIn(_ token: String) async throws -> ServerProcess.Reply {
            let form = try await send(.GET, "/dashboard/sign-in")
            let csrf = try #require(Self.csrf(in: form.text), "\(form.text)")
            return try await send(.POST, "/dashboard/sign-in", form: ["token": token, "csrf": csrf])
        }
    }

    @Test func actionsNeedASignedInTokenAFormFromThePageAndTheSnapsOwner() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let server = device.world.server
        func stableRevision() async throws -> Int? {
            let status = try await server.request(
                .GET, "/admin/v1/snaps/myawesomesnap/status", token: server.adminToken)
            let rows = try status.json()["rows"] as? [[String: Any]] ?? []
            return rows.first { $0["risk"] as? String == "stable" && $0["architecture"] as? String == "amd64" }?[
                "revision"] as? Int
        }
        let before = try await stableRevision()
        _ = try await server.json(
            .POST, "/admin/v1/accounts", token: server.adminToken, ["username": "eve", "id": "eve-account"])
        let eveToken = try #require(
            try await server.json(
                .POST, "/admin/v1/accounts/eve-account/tokens", token: server.adminToken, ["description": "eve"]
            ).json()["token"] as? String)
        let brandToken = try #require(
            try await server.json(
                .POST, "/admin/v1/accounts/acme-brand/tokens", token: server.adminToken, ["description": "acme"]
            ).json()["token"] as? String)

        // Nobody signed in: no form on the page, and a post is refused.
        var anonymous = Browser(server: server)
        let page = try await anonymous.send(.GET, "/dashboard/snaps/myawesomesnap")
        #expect(!page.text.contains("id=\"release\"") && page.text.contains("id=\"sign-in\""))
        let refused = try await anonymous.send(
            .POST, "/dashboard/snaps/myawesomesnap/releases", form: ["revision": "2", "channel": "stable"])
        #expect(refused.status == 401 && refused.text.contains("Sign in first"), "\(refused.status)")

        // Signing in: the form's own token must come back; a wrong token is refused.
        var forged = Browser(server: server)
        let noCookie = try await forged.send(.POST, "/dashboard/sign-in", form: ["token": brandToken, "csrf": "guess"])
        #expect(noCookie.status == 403 && forged.cookies[DashboardTests.session] == nil)
        var wrong = Browser(server: server)
        #expect(try await wrong.signIn("sdp_not-a-token").status == 401)

        var brand = Browser(server: server)
        let signedIn = try await brand.signIn(brandToken)
        #expect(signedIn.status == 303, "\(signedIn.text)")
        let setCookie = signedIn.headers[canonicalForm: "Set-Cookie"].joined(separator: " | ")
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
        let own = try await brand.send(.GET, "/dashboard/snaps/myawesomesnap")
        #expect(own.text.contains("signed in as acme-brand") && own.text.contains("id=\"release\""))
        let csrf = try #require(Browser.csrf(in: own.text))
        // A post without the page's CSRF token (another site's form) changes nothing.
        let crossSite = try await brand.send(
            .POST, "/dashboard/snaps/myawesomesnap/releases", form: ["revision": "2", "channel": "stable"])
        #expect(crossSite.status == 403 && crossSite.text.contains("CSRF"), "\(crossSite.status)")
        #expect(try await stableRevision() == before)
        let done = try await brand.send(
            .POST, "/dashboard/snaps/myawesomesnap/releases",
            form: ["revision": "2", "channel": "stable", "csrf": csrf])
        #expect(done.status == 303, "\(done.text)")
        #expect(try await stableRevision() == 2)

        // Another publisher sees no form on acme's snap, and its post is refused by the store's rules.
        var eve = Browser(server: server)
        #expect(try await eve.signIn(eveToken).status == 303)
        let theirs = try await eve.send(.GET, "/dashboard/snaps/myawesomesnap")
        #expect(!theirs.text.contains("id=\"release\""))
        let eveCSRF = try #require(Browser.csrf(in: theirs.text), "the sign-out form carries it")
        let notYours = try await eve.send(
            .POST, "/dashboard/snaps/myawesomesnap/releases",
            form: ["revision": "1", "channel": "stable", "csrf": eveCSRF])
        #expect(notYours.status == 403, "\(notYours.status) \(notYours.text)")
        #expect(try await stableRevision() == 2)

        // The rollout's buttons: pause, then resume.
        let progressive = try await brand.send(
            .POST, "/dashboard/snaps/myawesomesnap/releases",
            form: ["revision": "3", "channel": "stable", "progressive": "20", "csrf": csrf])
        #expect(progressive.status == 303, "\(progressive.text)")
        let paused = try await brand.send(
            .POST, "/dashboard/snaps/myawesomesnap/rollouts",
            form: ["channel": "stable", "action": "pause", "csrf": csrf])
        #expect(paused.status == 303, "\(paused.text)")
        let rolloutsPage = try await anonymous.send(.GET, "/dashboard/rollouts")
        #expect(rolloutsPage.text.contains("paused"), "\(rolloutsPage.text.suffix(1500))")
        let resumed = try await brand.send(
            .POST, "/dashboard/snaps/myawesomesnap/rollouts",
            form: ["channel": "stable", "action": "resume", "csrf": csrf])
        #expect(resumed.status == 303, "\(resumed.text)")
        #expect(try await anonymous.send(.GET, "/dashboard/rollouts").text.contains("rolling"))

        // Faults and tags, as the brand: added, seen, refused to another account, cleared.
        let faultsPage = try await brand.send(.GET, "/dashboard/faults")
        let faultCSRF = try #require(Browser.csrf(in: faultsPage.text))
        let noToken = try await brand.send(
            .POST, "/dashboard/faults", form: ["kind": "delay", "endpoint": "download", "snap": "myawesomesnap"])
        #expect(noToken.status == 403)
        let added = try await brand.send(
            .POST, "/dashboard/faults",
            form: [
                "kind": "delay", "endpoint": "download", "snap": "myawesomesnap", "delay-ms": "1", "csrf": faultCSRF,
            ])
        #expect(added.status == 303, "\(added.text)")
        let listed = try await anonymous.send(.GET, "/dashboard/faults")
        let faults = try #require(Self.element("faults", in: listed.text))
        #expect(faults.contains("<td>delay</td>") && faults.contains("<td>myawesomesnap</td>"), "\(faults)")
        #expect(!faults.contains("Clear"), "nobody signed in gets no button")
        let ids = try #require(
            try JSONSerialization.jsonObject(
                with: try await server.request(.GET, "/admin/v1/faults", token: server.adminToken).body)
                as? [[String: Any]])
        let id = try #require(ids.first?["id"] as? Int)
        let eveClears = try await eve.send(.POST, "/dashboard/faults/clear", form: ["id": String(id), "csrf": eveCSRF])
        #expect(eveClears.status == 404, "another account's fault is not there for eve")
        #expect(
            try await brand.send(.POST, "/dashboard/faults/clear", form: ["id": String(id), "csrf": faultCSRF]).status
                == 303)
        #expect(try await anonymous.send(.GET, "/dashboard/faults").text.contains("None: devices get"))
        let serial = try #require(try DeviceState.read(from: device.folder).serial)
        let tagged = try await brand.send(
            .POST, "/dashboard/devices/tags", form: ["serials": serial, "add": "canary", "csrf": faultCSRF])
        #expect(tagged.status == 303, "\(tagged.text)")
        let canaries = try await anonymous.send(.GET, "/dashboard/devices?tag=canary")
        #expect(Self.element("devices", in: canaries.text)?.contains(serial) == true)

        // Signing out ends the session.
        #expect(try await brand.send(.POST, "/dashboard/sign-out", form: ["csrf": csrf]).status == 303)
        #expect(try await brand.send(.GET, "/").text.contains("id=\"sign-in\""))

        _ = try Self.load("/dashboard/sign-in", on: device, screenshot: "sign-in")
    }

    static let session = "snapdepot_session"

    /// The snap page's chart, open in Chromium while a release happens: it draws the rollout
    /// without a reload. The page stays open in a WebDriver session, so the test reads the chart
    /// before the release and waits, with a deadline, for the page's own polls to bring the change.
    @Test(.enabled(if: BrowserSession.available, "needs Debian's chromium-driver: run .ci/install-deps"))
    func theRolloutChartChangesLiveAfterARelease() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let server = device.world.server
        try #require(try device.agent(["boot"]).status == 0)
        try #require(try device.agent(["refresh"]).status == 0)
        let browser = try await BrowserSession.open()
        do {
            try await browser.navigate(to: server.url + "/dashboard/snaps/myawesomesnap")
            let first = try await browser.wait({ try await browser.text(ofElement: "live-first") }) {
                $0?.isEmpty == false
            }
            #expect(first?.contains("1 device") == true && first?.contains("no rollout") == true, "\(first ?? "")")

            let released = try await server.json(
                .POST, "/admin/v1/snaps/myawesomesnap/releases", token: server.adminToken,
                ["revision": 2, "channels": ["stable"], "progressive": 30])
            try #require(released.status == 200, "\(released.text)")
            let now = try await browser.wait({ try await browser.text(ofElement: "live-now") }) {
                $0?.contains("rollout r2 in latest/stable at 30 %") == true
            }
            #expect(now?.contains("rollout r2 in latest/stable at 30 %") == true, "\(now ?? "")")
            let drawn = try await browser.wait({
                try await browser.has("[data-series=\"rollout latest/stable r2 %\"]")
            }) { $0 }
            #expect(drawn, "the chart drew the share")
            // The page was never reloaded: what it shows first is still the state before the release.
            #expect(try await browser.text(ofElement: "live-first") == first)
        } catch {
            await browser.close()
            throw error
        }
        await browser.close()
    }
}
