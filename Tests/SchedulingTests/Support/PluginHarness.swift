import Scheduling
import Testing

/// PreFilter over `nodes`, PreScore over `feasible` (default: all), then the raw and normalised scores.
func scoreAll(
    _ plugin: some PreFilterPlugin & PreScorePlugin & ScorePlugin, _ pod: PodInfo, _ nodes: [NodeInfo],
    feasible: [NodeInfo]? = nil
) -> (status: PluginStatus, raw: [Int64], normalized: [Int64]) {
    let state = CycleState()
    _ = plugin.preFilter(state, pod, nodes)
    let scored = feasible ?? nodes
    let status = plugin.preScore(state, pod, scored)
    guard status.isSuccess else { return (status, [], []) }
    let raw = scored.map { plugin.score(state, pod, $0) }
    var list = zip(scored, raw).map { NodeScore(name: $0.name, score: $1) }
    _ = plugin.normalize(state, pod, &list)
    return (status, raw, list.map(\.score))
}

/// `raw` scores (of nodes n0, n1, …) through the plugin's normalisation, which must succeed.
func normalizedScores(_ plugin: some ScorePlugin, _ raw: [Int64], sourceLocation: SourceLocation = #_sourceLocation)
    -> [Int64]
{
    var scores = raw.enumerated().map { NodeScore(name: "n\($0.offset)", score: $0.element) }
    #expect(plugin.normalize(CycleState(), PodInfo(makePod("p")), &scores).isSuccess, sourceLocation: sourceLocation)
    return scores.map(\.score)
}
