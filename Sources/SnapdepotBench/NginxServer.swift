import ChildProcesses
import Foundation
import SnapdepotCLI

/// Debian's nginx serving a folder on a loopback port with sendfile, for comparison; `/readyz`
/// answers a constant, nginx's trivial route, and `/answers/` serves the `answers` folder.
final class NginxServer {
    let child: ChildProcess
    let port: Int

    init(root: String, answers: String, work: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw CLIError("nginx is not installed (apt-get install nginx-light)")
        }
        port = try BenchPorts.free()
        let prefix = work.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let config = prefix.appendingPathComponent("nginx.conf")
        // As root, nginx workers drop to `nobody`, who cannot read the store's private blob folder.
        let user = getuid() == 0 ? "user root;" : ""
        // A worker per core: nginx at its best is the mark to reach.
        try Data(
            """
            \(user) daemon off; worker_processes auto; pid \(prefix.path)/nginx.pid; error_log \(prefix.path)/logs/error.log;
            events { worker_connections 1024; }
            http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
              types { application/octet-stream snap; }
              client_body_temp_path \(prefix.path); proxy_temp_path \(prefix.path); fastcgi_temp_path \(prefix.path);
              uwsgi_temp_path \(prefix.path); scgi_temp_path \(prefix.path);
              server { listen 127.0.0.1:\(port); root \(root); location = /readyz { return 200 "ok"; }
                location /answers/ { alias \(answers)/; } } }
            """.utf8
        ).write(to: config)
        child = try ChildProcess(
            "/usr/sbin/nginx", ["-p", prefix.path, "-c", config.path], output: .file(prefix.path + "/logs/out"))
        try BenchPorts.waitUntilListening(port, child: child)
    }

    func stop() {
        child.signal(SIGTERM)
        _ = child.wait(timeout: .seconds(10))
    }
}
