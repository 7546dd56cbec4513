import Testing
@testable import Raft
@Test func smoke() { #expect(true) }
