import Foundation
import Glibc
import SluiceTestKit
import Testing

/// The Debian package, installed into this machine with dpkg and removed again. `make test` builds
/// it first (`make deb`: .build-deb/sluice.deb); `SLUICE_DEB` names another one. The test needs
/// root, refuses to run when a `sluice` package, binary, user or data folder is already there
/// (someone else's, which purging would delete), and purges what it installed even when a check
/// fails. Test runs of several worktrees on one machine take turns through a lock file.
@Suite("Debian package: dpkg -i installs a working service, dpkg -r keeps data, dpkg --purge leaves nothing", .serialized)
struct DebianPackageTests {
    static var packagePath: String {
        ProcessInfo.processInfo.environment["SLUICE_DEB"] ?? TestEnvironment.repositoryRoot + "/.build-deb/sluice.deb"
    }

    /// What the package owns or its scripts create, all of which purge must remove.
    static let installedPaths = [
        "/usr/bin/sluice", "/lib/systemd/system/sluice.service", "/etc/sluice", "/var/lib/sluice", "/usr/share/doc/sluice",
        "/etc/systemd/system/multi-user.target.wants/sluice.service", "/etc/systemd/system/sluice.service",
        "/var/lib/systemd/deb-systemd-helper-enabled/sluice.service",
        "/var/lib/systemd/deb-systemd-helper-masked/sluice.service",
    ]

    /// The device profiles of the repository, which the package installs as conffiles.
    static var deviceProfiles: [String] {
        get throws {
            try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.repositoryRoot + "/devices")
                .filter { $0.hasSuffix(".yaml") }.sorted()
        }
    }

    @Test("install, check every file and the user, verify the unit, remove, purge")
    func installAndPurge() throws {
        let package = Self.packagePath
        try #require(
            FileManager.default.fileExists(atPath: package),
            "no Debian package at \(package): run `make deb` (`make test` builds it before the tests) or set SLUICE_DEB")
        try #require(getuid() == 0, "dpkg -i needs root: run the tests as root (make test)")
        try Self.withMachineLock {
            try Self.requireNoSluiceInstalled()
            defer {
                // Restore the machine whatever happened above.
                if Self.packageStatus() != nil { _ = try? HostCommand.run("/usr/bin/dpkg", ["--purge", "sluice"]) }
            }
            let install = try HostCommand.run("/usr/bin/dpkg", ["-i", package])
            try #require(install.status == 0, "dpkg -i \(package): \(install.all)")
            #expect(Self.packageStatus() == "installed")
            try checkInstalledFiles()
            try checkBinary()
            try checkUserAndState()
            try checkUnit()

            // A remove keeps the configuration, the log and the user: a reinstall carries on with them.
            let marker = "/var/lib/sluice/kept-by-remove"
            #expect(FileManager.default.createFile(atPath: marker, contents: Data("log".utf8)))
            let remove = try HostCommand.run("/usr/bin/dpkg", ["-r", "sluice"])
            try #require(remove.status == 0, "dpkg -r sluice: \(remove.all)")
            #expect(Self.packageStatus() == "config-files")
            #expect(!FileManager.default.fileExists(atPath: "/usr/bin/sluice"))
            #expect(!FileManager.default.fileExists(atPath: "/lib/systemd/system/sluice.service"))
            #expect(FileManager.default.fileExists(atPath: "/etc/sluice/sluice.yaml"))
            #expect(FileManager.default.fileExists(atPath: marker))
            #expect(try HostCommand.run("/usr/bin/getent", ["passwd", "sluice"]).status == 0)

            let purge = try HostCommand.run("/usr/bin/dpkg", ["--purge", "sluice"])
            try #require(purge.status == 0, "dpkg --purge sluice: \(purge.all)")
            #expect(Self.packageStatus() == nil)
            for path in Self.installedPaths {
                #expect(!Self.exists(path), "\(path) is still there after dpkg --purge")
            }
            #expect(try HostCommand.run("/usr/bin/getent", ["passwd", "sluice"]).status != 0, "user sluice is still there")
            #expect(try HostCommand.run("/usr/bin/getent", ["group", "sluice"]).status != 0, "group sluice is still there")
        }
    }

    /// The binary, the unit, the configuration and the device profiles, as dpkg lists them; the
    /// configuration files as conffiles.
    private func checkInstalledFiles() throws {
        let repository = TestEnvironment.repositoryRoot
        let profiles = try Self.deviceProfiles
        let listed = Set(try HostCommand.run("/usr/bin/dpkg", ["-L", "sluice"]).standardOutput.split(separator: "\n").map(String.init))
        let expectedFiles = ["/usr/bin/sluice", "/lib/systemd/system/sluice.service", "/etc/sluice/sluice.yaml"]
            + profiles.map { "/etc/sluice/devices/" + $0 }
        for file in expectedFiles {
            #expect(listed.contains(file), "dpkg -L sluice does not list \(file)")
        }

        let conffiles = try HostCommand.run("/usr/bin/dpkg-query", ["-W", "-f=${Conffiles}", "sluice"]).standardOutput
            .split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }.sorted()
        #expect(conffiles == (["/etc/sluice/sluice.yaml"] + profiles.map { "/etc/sluice/devices/" + $0 }).sorted())

        let unit = try String(contentsOfFile: "/lib/systemd/system/sluice.service", encoding: .utf8)
        #expect(unit == (try String(contentsOfFile: repository + "/systemd/sluice.service", encoding: .utf8)))
        for profile in profiles {
            let installed = try Data(contentsOf: URL(fileURLWithPath: "/etc/sluice/devices/" + profile))
            #expect(installed == (try Data(contentsOf: URL(fileURLWithPath: repository + "/devices/" + profile))), "\(profile)")
        }
    }

    /// The installed binary runs without /opt/swift, prints the same help as the one just built,
    /// reads the installed configuration as user sluice, and every library it loads comes from a
    /// package in Depends.
    private func checkBinary() throws {
        let help = try HostCommand.run("/usr/bin/sluice", ["--help"])
        #expect(help.status == 0, "\(help.all)")
        #expect(help.standardOutput == (try SluiceBinary.run(["--help"]).standardOutput))

        // check-config of the installed file says what check-config of the repository's says,
        // except its first line (the file's name): the same broker, data_dir, profiles and topics.
        let installed = try HostCommand.run("/usr/sbin/runuser", ["-u", "sluice", "--", "/usr/bin/sluice", "check-config", "--config", "/etc/sluice/sluice.yaml"])
        #expect(installed.status == 0, "\(installed.all)")
        let repository = try SluiceBinary.run(["check-config", "--config", TestEnvironment.repositoryRoot + "/config/sluice.yaml"])
        let installedLines = installed.standardOutput.split(separator: "\n")
        #expect(installedLines.first == "/etc/sluice/sluice.yaml: ok")
        #expect(installedLines.dropFirst() == repository.standardOutput.split(separator: "\n").dropFirst())
        #expect(installed.standardOutput.contains("data directory /var/lib/sluice,"))

        let ldd = try HostCommand.run("/usr/bin/ldd", ["/usr/bin/sluice"])
        #expect(ldd.status == 0, "\(ldd.all)")
        #expect(!ldd.standardOutput.contains("not found"), "\(ldd.standardOutput)")
        #expect(!ldd.standardOutput.contains("/opt/swift") && !ldd.standardOutput.contains("libswift"), "\(ldd.standardOutput)")
        let depends = try HostCommand.run("/usr/bin/dpkg-query", ["-W", "-f=${Depends}", "sluice"]).standardOutput
        let dependedOn = Set(depends.split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(dependedOn.contains("adduser"))
        // The libraries the binary names itself (NEEDED) must come from packages in Depends; what
        // they load in turn is their packages' business (dpkg-shlibdeps works the same way).
        let resolved = Dictionary(
            ldd.standardOutput.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                if parts.count >= 3, parts[1] == "=>" { return (parts[0], parts[2]) }
                // The loader, "/lib64/ld-linux-x86-64.so.2 (0x…)"; the vDSO has no file.
                if let path = parts.first, path.hasPrefix("/") { return ((path as NSString).lastPathComponent, path) }
                return nil
            }, uniquingKeysWith: { first, _ in first })
        let dynamic = try HostCommand.run("/usr/bin/readelf", ["-d", "/usr/bin/sluice"]).standardOutput
        #expect(!dynamic.contains("RPATH") && !dynamic.contains("RUNPATH"), "\(dynamic)")
        var libraries = 0
        for line in dynamic.split(separator: "\n") where line.contains("(NEEDED)") {
            guard let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]") else { continue }
            let name = String(line[line.index(after: open)..<close])
            let path = try #require(resolved[name], "ldd does not resolve \(name): \(ldd.standardOutput)")
            let owner = try Self.owningPackage(of: path)
            #expect(owner.map { dependedOn.contains($0) } == true, "\(name) (\(path)) comes from \(owner ?? "no package"), not in Depends: \(depends)")
            libraries += 1
        }
        #expect(libraries >= 6, "readelf found only \(libraries) NEEDED libraries: \(dynamic)")
    }

    /// A system user and group sluice, without a login, owning /var/lib/sluice (0750).
    private func checkUserAndState() throws {
        let passwd = try HostCommand.run("/usr/bin/getent", ["passwd", "sluice"])
        try #require(passwd.status == 0, "no user sluice after dpkg -i")
        let fields = passwd.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        try #require(fields.count == 7, "\(passwd.standardOutput)")
        let uid = Int(fields[2]) ?? -1
        #expect((1..<1000).contains(uid), "user sluice has uid \(uid), not a system uid")
        #expect(fields[5] == "/var/lib/sluice" && fields[6] == "/usr/sbin/nologin", "\(passwd.standardOutput)")
        let group = try HostCommand.run("/usr/bin/getent", ["group", "sluice"])
        #expect(group.status == 0 && group.standardOutput.split(separator: ":")[2] == fields[3], "\(group.standardOutput)")

        let attributes = try FileManager.default.attributesOfItem(atPath: "/var/lib/sluice")
        #expect(attributes[.ownerAccountName] as? String == "sluice")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o750)
    }

    /// The unit passes `systemd-analyze verify`, is enabled for multi-user.target, and, where
    /// systemd runs, is known to it as enabled.
    private func checkUnit() throws {
        let verify = try HostCommand.run("/usr/bin/systemd-analyze", ["verify", "/lib/systemd/system/sluice.service"])
        #expect(verify.status == 0, "\(verify.all)")
        let wants = "/etc/systemd/system/multi-user.target.wants/sluice.service"
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: wants)) == "/lib/systemd/system/sluice.service")
        if FileManager.default.fileExists(atPath: "/run/systemd/system") {
            let enabled = try HostCommand.run("/usr/bin/systemctl", ["is-enabled", "sluice.service"])
            #expect(enabled.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "enabled", "\(enabled.all)")
        }
    }

    // MARK: - The machine

    /// dpkg's status of the sluice package (`installed`, `config-files`, …), nil when dpkg does not know it.
    static func packageStatus() -> String? {
        guard let query = try? HostCommand.run("/usr/bin/dpkg-query", ["-W", "-f=${db:Status-Status}", "sluice"]),
            query.status == 0, query.standardOutput != "not-installed"
        else { return nil }
        return query.standardOutput
    }

    /// Whether `path` exists, as a file, a folder or a (possibly dangling) symbolic link.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// The package that installed `path` (a library ldd found), trying the /usr-merged twin too.
    static func owningPackage(of path: String) throws -> String? {
        let twin = path.hasPrefix("/usr/") ? String(path.dropFirst(4)) : "/usr" + path
        let resolved = (path as NSString).resolvingSymlinksInPath
        for candidate in [path, twin, resolved] {
            let search = try HostCommand.run("/usr/bin/dpkg", ["-S", candidate])
            if search.status == 0, let name = search.standardOutput.split(separator: ":").first {
                return String(name)
            }
        }
        return nil
    }

    /// Fails, touching nothing, when sluice is on this machine already: its package, or the
    /// binary, user or log that the README's manual install leaves. Purging would delete them.
    static func requireNoSluiceInstalled() throws {
        let status = packageStatus()
        try #require(status == nil, "a sluice package is installed here (\(status ?? "")): not touching it; `dpkg --purge sluice` first if it is yours to remove")
        for path in ["/usr/bin/sluice", "/var/lib/sluice", "/etc/sluice"] {
            try #require(!exists(path), "\(path) exists (sluice installed by hand?): not touching it")
        }
        try #require(try HostCommand.run("/usr/bin/getent", ["passwd", "sluice"]).status != 0, "a user sluice exists: not touching it")
    }

    /// Runs `body` holding an exclusive lock on /tmp/sluice-package-test.lock, waiting at most 10
    /// minutes for the test of another worktree to finish.
    static func withMachineLock(_ body: () throws -> Void) throws {
        let fd = open("/tmp/sluice-package-test.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        try #require(fd >= 0, "cannot open /tmp/sluice-package-test.lock: errno \(errno)")
        defer { close(fd) }
        let locked = TestEnvironment.waitUntil(timeout: .seconds(600)) { flock(fd, LOCK_EX | LOCK_NB) == 0 }
        try #require(locked, "another package test held /tmp/sluice-package-test.lock for 10 minutes")
        defer { flock(fd, LOCK_UN) }
        try body()
    }
}
