import Assertions
import DeviceAgent
import Foundation
import StoreProtocol

/// Many devices, each the real agent on memory storage, run against one store in simulated
/// time, while a scenario plays the release manager (`snapdepot fleet run`).
///
/// Simulated time moves a tick at a time; every device due within a tick runs (up to
/// `concurrency` at once) before time moves on, and a scenario's steps land between ticks. What a
/// device decides comes from its own seeded draws, so the same seed gives the same run; only
/// which of the devices due in the same tick reaches the store first is left to the machine.
public struct Fleet: Sendable {
    public let image: FleetImage
    public let configuration: FleetConfiguration
    public let control: any FleetStoreControl
    public let storeURL: String

    public init(
        image: FleetImage, configuration: FleetConfiguration, control: any FleetStoreControl, storeURL: String
    ) {
        self.image = image
        self.configuration = configuration
        self.control = control
        self.storeURL = storeURL
    }

    /// Checks a scenario against the store before any device starts: its snap, the revisions it
    /// names and the groups it releases to must exist (or be made by an earlier step).
    public func check(_ scenario: Scenario) async throws {
        let revisions: [Int]
        do {
            revisions = try await control.revisions(of: scenario.snap)
        } catch {
            throw FleetError("scenario \(scenario.name): the store has no snap \"\(scenario.snap)\": \(error)")
        }
        var groups: Set<String> = []
        for (index, step) in scenario.steps.enumerated() {
            let named: (revision: Int?, group: String?, snap: String?)
            switch step {
            case .release(let release): named = (release.revision, release.group, release.snap)
            case .fault(let fault): named = (fault.revision, fault.group, fault.snap)
            case .group(let group):
                groups.insert(group.name)
                continue
            case .expect(.revisionShare(let revision, _, _)): named = (revision, nil, nil)
            default: continue
            }
            if let snap = named.snap, snap != scenario.snap {
                throw FleetError("step \(index + 1): the fleet follows \"\(scenario.snap)\", not \"\(snap)\"")
            }
            if let revision = named.revision, !revisions.contains(revision) {
                throw FleetError(
                    "step \(index + 1): \(scenario.snap) has no revision \(revision) (it has "
                        + "\(revisions.map(String.init).joined(separator: ", ")))")
            }
            if let group = named.group, !groups.contains(group), !(try await control.groupExists(group)) {
                throw FleetError("step \(index + 1): no group \"\(group)\": add a group step before it")
            }
        }
    }

    /// Runs the fleet: devices boot in the hour before the start, then the scenario's steps play
    /// out while devices refresh on their schedules. A step the store refuses, or a store that
    /// stops answering, ends the run early with what was seen so far (`stopped`); so does
    /// cancelling the task that runs it.
    public func run(
        scenario: Scenario?, keys: [String], progress: @escaping @Sendable (FleetProgress) -> Void = { _ in }
    ) async throws -> (FleetSummary, TimeSeries) {
        let settings = configuration
        guard settings.devices > 0 else {
            throw FleetError("a fleet needs at least one device, not \(settings.devices)")
        }
        guard keys.count >= settings.localDevices else {
            throw FleetError("\(settings.localDevices) devices need as many keys, not \(keys.count)")
        }
        if let scenario { try await check(scenario) }
        let rendezvous = settings.shard.map {
            ShardRendezvous(shard: $0, control: control, endStep: (scenario?.steps.count ?? 0) + 1)
        }
        try await rendezvous?.checkNew()
        let memoryBefore = ResidentMemory.bytes()
        let wallStart = Date()
        // When simulated time `origin` was (or, after falling behind, would have been) on the wall.
        var paceStart = wallStart
        let origin = settings.start.addingTimeInterval(-3600)
        let clock = SimulatedClock(origin)
        let tally = TrafficTally()
        var queue = EventQueue()
        var devices: [SimulatedDevice] = []
        devices.reserveCapacity(settings.devices)
        // Store waits (retries, the vault's 202) pass in simulated time too.
        let pace = max(settings.speed, 1)
        let retry = StoreConnection.RetryStrategy(attempts: 6, firstWait: 0.5 / pace, factor: 2.5, budget: 38 / pace)
        for index in 0..<settings.devices where settings.shard?.holds(device: index) ?? true {
            let serial = "\(settings.serialPrefix)-\(index + 1)"
            let key = keys[devices.count]
            let (storage, device) = try image.flash(name: "device \(serial)", keyPEM: key, store: storeURL, at: origin)
            var agent = Agent(
                storage: storage, device: device, model: image.model, stateStore: MemoryStateStore(),
                keyPEM: key, storeURL: storeURL)
            agent.clock = { clock.now }
            agent.proposedSerial = serial
            agent.tally = tally
            agent.acceptsDeltas = settings.deltas
            agent.retry = retry
            agent.registrationWait = (maximum: 1, giveUpAfter: 60)
            var random = SeededRandom(seed: settings.seed, device: index)
            queue.push(
                origin.addingTimeInterval(Double.random(in: 0..<3600, using: &random).rounded()), devices.count)
            devices.append(SimulatedDevice(index: index, serial: serial, agent: agent, random: random))
        }
        // Read before any device starts; in a split run, before this shard lets the others start.
        let storeBefore = try? await control.counters()
        if let rendezvous {
            let settled = "seed \(settings.seed), \(settings.devices) devices, scenario \(scenario?.name ?? "none")"
            _ = try await rendezvous.meet(step: 0, note: settled) { notes in
                if let other = notes.first(where: { $0.value != settled }) {
                    throw FleetError(
                        "shard \(other.key) runs \(other.value), shard 1 \(settled): run every shard alike")
                }
                return ""
            }
        }

        var run = RunRecord(settings: settings, scenario: scenario)
        var timeline: [(time: Date, number: Int, step: Scenario.Step)] = []
        var at = settings.start
        for (index, step) in (scenario?.steps ?? []).enumerated() {
            if case .wait(let seconds) = step {
                at.addTimeInterval(seconds)
            } else {
                timeline.append((at, index + 1, step))
            }
        }
        let scenarioEnd = at.timeIntervalSince(settings.start)
        let end = settings.start.addingTimeInterval(
            scenario == nil ? settings.duration ?? 86400 : max(settings.duration ?? 0, scenarioEnd))
        var nextStep = 0
        var nextSample = origin
        var lastProgress = Date.distantPast
        var now = origin

        loop: while true {
            // A run stopped from outside (`snapdepot demo`'s Ctrl-C) ends like one cut short.
            if Task.isCancelled {
                run.stopped = "stopped at \(Self.describe(now, from: settings.start))"
                break
            }
            while nextStep < timeline.count, timeline[nextStep].time <= now {
                let (_, number, step) = timeline[nextStep]
                nextStep += 1
                do {
                    try await apply(
                        step, number: number, at: now, devices: devices, rendezvous: rendezvous, run: &run)
                } catch {
                    run.stopped = "step \(number) failed: \(error)"
                    break loop
                }
            }
            while nextSample <= now {
                run.sample(at: nextSample.timeIntervalSince(settings.start) / 3600)
                nextSample.addTimeInterval(3600)
            }
            if now >= end { break }
            let tickEnd = now.addingTimeInterval(settings.tick)
            let due = queue.pop(before: tickEnd)
            if settings.speed > 0 {
                let wallDue = paceStart.addingTimeInterval(tickEnd.timeIntervalSince(origin) / settings.speed)
                let wait = wallDue.timeIntervalSinceNow
                if wait > 0 {
                    try? await Task.sleep(for: .seconds(wait))
                } else {
                    // Behind (a slow boot, a loaded machine): the pace goes on from here instead of
                    // racing through simulated time to catch up, which a demo or a test that
                    // watches the run mid-way would see as a sudden jump to the end.
                    paceStart.addTimeInterval(-wait)
                }
            }
            clock.now = now
            let before = due.map { (devices[$0].revision, devices[$0].booted) }
            let outcomes = await step(due, devices: devices, at: now, concurrency: settings.concurrency)
            for (position, index) in due.enumerated() {
                let device = devices[index]
                let outcome = outcomes[position]
                queue.push(outcome.next, index)
                run.record(outcome, from: before[position], to: (device.revision, device.booted))
            }
            run.markReached(at: tickEnd)
            if !due.isEmpty, outcomes.allSatisfy(\.unreachable) {
                do {
                    _ = try await control.counters()
                } catch {
                    run.stopped =
                        "the store stopped answering at \(Self.describe(now, from: settings.start)): \(error)"
                    break loop
                }
            }
            if Date().timeIntervalSince(lastProgress) >= 1 {
                lastProgress = Date()
                progress(
                    run.progress(
                        at: now.timeIntervalSince(settings.start), requests: tally.snapshot.requests,
                        wallSeconds: Date().timeIntervalSince(wallStart)))
            }
            var next = tickEnd
            if let earliest = queue.earliest, earliest > tickEnd {
                // Nothing due for a while: jump to the tick it falls in (or the next step, or the end).
                let ticks = (earliest.timeIntervalSince(origin) / settings.tick).rounded(.down)
                let candidate = origin.addingTimeInterval(ticks * settings.tick)
                let stepTime = nextStep < timeline.count ? timeline[nextStep].time : end
                next = max(tickEnd, min(candidate, stepTime, end))
            }
            now = next
        }

        let deviceTraffic = tally.snapshot
        var storeAfter: TrafficCounts?
        if let rendezvous {
            if let stopped = run.stopped {
                await rendezvous.stopped(stopped)
            } else {
                do {
                    // Every shard's devices are done: what this shard's store counted is final.
                    _ = try await rendezvous.meet(step: rendezvous.endStep, note: "") { _ in "" }
                    storeAfter = try? await control.counters()
                } catch {
                    run.stopped = "at the end: \(error)"
                }
            }
        } else {
            storeAfter = try? await control.counters()
        }
        var storeTraffic: TrafficCounts?
        if let storeBefore, let storeAfter { storeTraffic = storeAfter - storeBefore }
        let wall = Date().timeIntervalSince(wallStart)
        let memory = max(0, ResidentMemory.bytes() - memoryBefore)
        var summary = run.summary(
            simulatedSeconds: now.timeIntervalSince(settings.start), wallSeconds: wall,
            devicesNotWorking: devices.filter { !$0.isWorking }.count, traffic: deviceTraffic,
            store: settings.shard == nil ? storeTraffic : nil, memoryPerDevice: memory / max(1, devices.count))
        if let shard = settings.shard {
            // The store counted every shard's devices: `fleet merge` compares the sum with it.
            summary.shard = run.shardReport(shard, storeURL: storeURL, store: storeTraffic)
        }
        return (summary, run.series)
    }

    /// Runs the devices due in one tick, at most `concurrency` at once; outcomes in `due`'s order.
    private func step(_ due: [Int], devices: [SimulatedDevice], at now: Date, concurrency: Int) async
        -> [SimulatedDevice.Outcome]
    {
        let snap = configuration.snap
        let offline = configuration.offlinePerDay
        var outcomes = [SimulatedDevice.Outcome?](repeating: nil, count: due.count)
        await withTaskGroup(of: (Int, SimulatedDevice.Outcome).self) { group in
            var next = 0
            func start() {
                let position = next
                let device = devices[due[position]]
                next += 1
                group.addTask { (position, await device.step(at: now, following: snap, offlinePerDay: offline)) }
            }
            while next < min(due.count, max(1, concurrency)) { start() }
            for await (position, outcome) in group {
                outcomes[position] = outcome
                if next < due.count { start() }
            }
        }
        return outcomes.map { $0 ?? SimulatedDevice.Outcome(next: now.addingTimeInterval(60)) }
    }

    /// Plays one scenario step against the store (and, for faults only devices can play, on the
    /// devices themselves). In a split run the shards meet first and the first shard alone changes
    /// the store, so that each step lands once and at the same simulated time for every device.
    private func apply(
        _ step: Scenario.Step, number: Int, at now: Date, devices: [SimulatedDevice], rendezvous: ShardRendezvous?,
        run: inout RunRecord
    ) async throws {
        func once(note: String = "", _ change: ([Int: String]) async throws -> String) async throws -> String {
            guard let rendezvous else { return try await change([1: note]) }
            return try await rendezvous.meet(step: number, note: note, apply: change)
        }
        switch step {
        case .release(let release):
            // Made before simulated time goes on, as a store makes them at a release: which
            // devices get a delta does not depend on how fast this machine runs xdelta3. A
            // device not booted yet will hold what the image seeds.
            let seeded = image.seededRevision(of: release.snap)
            let held = Set(devices.compactMap { $0.revision ?? ($0.booted ? nil : seeded) })
            _ = try await once(note: held.sorted().map(String.init).joined(separator: ",")) { notes in
                try await control.release(release)
                if configuration.deltas {
                    let everyHeld = notes.values.flatMap { $0.split(separator: ",").compactMap { Int($0) } }
                    try await control.makeDeltas(of: release.snap, from: Set(everyHeld), to: release.revision)
                }
                return ""
            }
            run.released(release, at: now)
        case .fault(let fault):
            let added = try await once { _ in
                let (id, snapID) = try await control.addFault(fault)
                return "\(id) \(snapID ?? "")"
            }
            let parts = added.split(separator: " ")
            guard let id = parts.first.flatMap({ Int($0) }) else {
                throw FleetError("step \(number): the first shard noted no fault id (\(added))")
            }
            let draw = RolloutPosition.faultDraw(snapID: parts.count > 1 ? String(parts[1]) : nil, faultID: id)
            guard fault.kind == "fail-check-health", let revision = fault.revision else { return }
            // The store records the fault; the devices it falls on fail the hook themselves.
            let hook = HookRunner.SimulatedHook(
                SnapAndRevision(snap: fault.snap ?? configuration.snap, revision: revision), hook: "check-health")
            for device in devices {
                if let group = fault.group, !(run.groups[group]?.contains(device.index) ?? false) { continue }
                if let share = fault.devicePercent,
                    RolloutPosition.of(draw, serialKey: device.serialKey) >= share
                {
                    continue
                }
                if let chance = fault.chance, Double.random(in: 0..<100, using: &device.random) >= chance { continue }
                device.agent.hooks.simulated[hook] = "fault \(id): this revision's health check fails here"
            }
        case .clearFaults:
            _ = try await once { _ in
                try await control.clearFaults()
                return ""
            }
            for device in devices { device.agent.hooks.simulated = [:] }
        case .group(let group):
            let members = devices.filter {
                RolloutPosition.of("group-\(group.name)", serialKey: $0.serialKey) < group.devicePercent
            }
            run.groups[group.name] = Set(members.map(\.index))
            // Each shard tags its own members; the group is made once all are tagged.
            try await control.tag(
                group.name, serials: members.filter(\.booted).map(\.serial), brandID: image.model.brandID,
                model: image.model.model)
            _ = try await once { _ in
                try await control.makeGroup(group.name, brandID: image.model.brandID, model: image.model.model)
                return ""
            }
        case .wait:
            break
        case .expect(let expectation):
            // Every shard's devices have run up to now before any shard reads the store.
            _ = try await once { _ in "" }
            try await run.check(
                expectation, number: number, at: now, devices: devices, control: control)
        }
    }

    static func describe(_ time: Date, from start: Date) -> String {
        let seconds = time.timeIntervalSince(start)
        return seconds < 0
            ? "boot"
            : "day \(Int(seconds) / 86400) \(FleetSummary.duration(seconds.truncatingRemainder(dividingBy: 86400)))"
    }
}
