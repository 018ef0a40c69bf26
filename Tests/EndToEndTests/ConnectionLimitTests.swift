import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What a slow or greedy client costs the server: a connection that trickles its request is
/// closed after the idle timeout, and connections beyond the cap wait until one frees up.
@Suite struct ConnectionLimitTests {
    /// A raw TCP connection to the server, to send partial requests no HTTP client would.
    final class RawConnection {
        let descriptor: Int32

        init(port: Int) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { throw ServerError("cannot connect to port \(port)") }
        }

        deinit { close(descriptor) }

        func send(_ text: String) {
            _ = Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
        }

        /// What arrives within `seconds`: the bytes, and whether the server closed the connection.
        func receive(within seconds: Double) -> (text: String, closed: Bool) {
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 100) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
                received += buffer[0..<count]
                if String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
            }
            return (String(decoding: received, as: UTF8.self), false)
        }
    }

    @Test func slowAndSurplusConnectionsCostTheServerLittle() throws {
        let folder = try makeTemporaryDirectory("connections")
        let server = try ServerProcess(
            data: folder.appendingPathComponent("data").path,
            extraArguments: ["--idle-timeout", "5", "--max-connections", "2"])
        defer { server.stop() }
        let port = try #require(URLComponents(string: server.url)?.port)

        // Half a request, then silence: closed after the idle timeout, with nothing answered.
        let trickling = try RawConnection(port: port)
        trickling.send("GET /readyz HTTP/1.1\r\nHost: x\r\n")
        let stalled = trickling.receive(within: 10)
        #expect(stalled.closed && stalled.text.isEmpty, "\(stalled)")

        // Two connections hold the cap; a third is answered only once one of them goes.
        var holders = [try RawConnection(port: port), try RawConnection(port: port)]
        for holder in holders {
            holder.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(holder.receive(within: 3).text.hasPrefix("HTTP/1.1 200"))
        }
        let third = try RawConnection(port: port)
        third.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(third.receive(within: 0.5).text.isEmpty)
        holders.removeFirst()
        #expect(third.receive(within: 5).text.hasPrefix("HTTP/1.1 200"))
    }

    /// Oversized parts of a request are refused before they cost anything: headers beyond the
    /// limit (16 KiB a field), a refresh with more actions than the cap, a body beyond a route's
    /// limit; the server goes on answering.
    @Test func oversizedRequestsAreRefusedOverRealHTTP() async throws {
        let folder = try makeTemporaryDirectory("oversized")
        let server = try ServerProcess(data: folder.appendingPathComponent("data").path)
        defer { server.stop() }
        let port = try #require(URLComponents(string: server.url)?.port)

        let huge = try RawConnection(port: port)
        huge.send("GET /readyz HTTP/1.1\r\nHost: x\r\nX-Padding: \(String(repeating: "a", count: 64 << 10))\r\n\r\n")
        let refused = huge.receive(within: 5)
        #expect(
            refused.text.hasPrefix("HTTP/1.1 4") || (refused.closed && refused.text.isEmpty),
            "a 64 KiB header field: \(refused.text.prefix(200))")

        let action = #"{"action": "install", "instance-key": "k", "name": "hello"}"#
        let many = Array(repeating: action, count: 1001).joined(separator: ",")
        let body = #"{"context": [], "actions": [\#(many)], "fields": ["revision"]}"#
        let capped = try await server.request(
            .POST, "/v2/snaps/refresh", body: Data(body.utf8),
            headers: ["Content-Type": "application/json", "Snap-Device-Series": "16"])
        #expect(capped.status == 400, "\(capped.status) \(capped.text.prefix(300))")
        #expect(capped.text.contains("at most 1000"), "\(capped.text.prefix(300))")

        let serial = try await server.request(
            .POST, "/api/v1/snaps/auth/devices", body: Data(repeating: 0x61, count: 2 << 20),
            headers: ["Content-Type": "application/x.ubuntu.assertion"])
        #expect(serial.status == 413, "\(serial.status) \(serial.text.prefix(200))")

        #expect(try await server.request(.GET, "/readyz").status == 200)
    }
}
