import Testing

@testable import Store

@Suite("Lessor: the leader's lease clock")
struct LessorTests {
    @Test("a mass expiry is claimed a bounded batch per refresh, oldest deadline first, each lease once")
    func massExpiryIsRateLimited() {
        var lessor = Lessor()
        let leases = Dictionary(uniqueKeysWithValues: (1...1_200).map { (Int64($0), Int64($0 % 7 + 1)) })
        #expect(lessor.refresh(isLeader: true, term: 3, leases: leases, now: .zero).isEmpty)
        var claimed: [Int64] = []
        var batches: [Int] = []
        for _ in 0..<4 {
            let due = lessor.refresh(isLeader: true, term: 3, leases: leases, now: .seconds(60))
            batches.append(due.count)
            claimed += due
        }
        let limit = Lessor.maxExpiriesPerRefresh
        #expect(batches == [limit, limit, 1_200 - 2 * limit, 0])
        #expect(Set(claimed).count == 1_200)
        // Shortest TTLs (earliest deadlines) go first.
        let firstBatch = claimed.prefix(limit)
        #expect(firstBatch.allSatisfy { leases[$0]! <= leases[claimed[limit]]! })
    }

    @Test("a follower keeps no lease time; a new term restarts every countdown")
    func promotionRestartsCountdowns() {
        var lessor = Lessor()
        let leases: [Int64: Int64] = [1: 5]
        _ = lessor.refresh(isLeader: true, term: 1, leases: leases, now: .zero)
        #expect(lessor.deadlines[1] == .seconds(5))
        _ = lessor.refresh(isLeader: false, term: 2, leases: leases, now: .seconds(3))
        #expect(lessor.deadlines.isEmpty && lessor.primaryTerm == 0)
        #expect(lessor.refresh(isLeader: true, term: 3, leases: leases, now: .seconds(4)).isEmpty)
        #expect(lessor.deadlines[1] == .seconds(9))
    }
}
