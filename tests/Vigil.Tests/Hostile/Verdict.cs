using System.Text;

namespace Vigil.Tests.Hostile;

/// <summary>The outcome of one <see cref="Scenario"/>: each broken promise, and a log to explain it.</summary>
public sealed class Verdict(string front, string name)
{
    public List<string> Violations { get; } = [];
    public List<(string Client, RawResponse? Response)> Responses { get; } = [];
    public string OriginLog { get; set; } = "";
    public bool Holds => Violations.Count == 0;

    public string Report()
    {
        var text = new StringBuilder($"{front} / {name}: {Violations.Count} violation(s)\n");
        foreach (var v in Violations) text.Append($"  - {v}\n");
        foreach (var (client, response) in Responses) text.Append($"  {client} got: {response?.ToString() ?? "nothing"}\n");
        text.Append(OriginLog);
        return text.ToString();
    }

    internal void CheckFirstClient(RawResponse response, HostileCase hostile, string what)
    {
        // The origin's own refusal (400, no request to name) answers the bytes the first client sent.
        if (response is { Marker: HostileOrigin.RefusalMarker, Status: 400 }) return;
        if (response.Marker is { } marker && !marker.Split(',').All(hostile.OwnMarkers.Contains))
            Violations.Add($"the first client's {what} answers someone else: marker {marker}");
        else if (response.Marker is null && response.Status is > 0 and < 400)
            Violations.Add($"the first client's {what} is a {response.Status} that answers no request it sent");
        CheckCookies(response, hostile.OwnMarkers, $"the first client's {what}");
    }

    internal void CheckInnocent(int i, RawResponse? response)
    {
        var id = $"innocent-{i}";
        if (response is null)
        {
            Violations.Add($"{id} got no response");
            return;
        }
        if (response.Marker != id) Violations.Add($"{id} got the response for {response.Marker ?? "no marker"} (status {response.Status})");
        else if (response.Status != 200 || !response.Complete || response.BodyText != $"req={id} target=/innocent/{i}")
            Violations.Add($"{id} got a damaged response: {response}");
        CheckCookies(response, new HashSet<string> { id }, id);
    }

    private void CheckCookies(RawResponse response, IReadOnlySet<string> own, string who)
    {
        foreach (var cookie in response.Values("Set-Cookie"))
            if (!own.Any(o => cookie.Contains(o, StringComparison.Ordinal)))
                Violations.Add($"{who} carries someone else's cookie: {cookie}");
    }

    internal void CheckCached(int n, CacheStep step, RawResponse? response, IReadOnlyList<string> attackerValues)
    {
        var who = $"step {n} ({step.User})";
        if (response is null)
        {
            Violations.Add($"{who} got no response");
            return;
        }
        var hit = response.Value("Cache-Status")?.Contains("hit", StringComparison.OrdinalIgnoreCase) == true;
        if (!response.Complete) Violations.Add($"{who} got an incomplete response{(hit ? " served as a cache hit" : "")}");
        if (step.Expected is { } expected && !step.IsHead && response.BodyText != expected)
            Violations.Add($"{who} got {(hit ? "a cache hit" : "a response")} with body \"{response.BodyText}\", not \"{expected}\"");
        var text = response.Head + "\n" + response.BodyText;
        foreach (var other in CacheCorpus.Users.Where(u => u != step.User).Concat(attackerValues))
            if (text.Contains(other, StringComparison.Ordinal)) Violations.Add($"{who} got content that belongs to {other}: {response}");
        CheckCookies(response, new HashSet<string> { step.User }, who);
    }

    internal void CheckOriginFraming(HostileOrigin origin)
    {
        foreach (var error in origin.Errors.Where(e => e.ProxysFault)) Violations.Add($"the proxy forwarded what a strict origin refuses: {error}");
        foreach (var r in origin.Requests)
            foreach (var anomaly in r.Anomalies) Violations.Add($"the proxy forwarded an ambiguous message ({anomaly}): {r.Method} {r.Target}");
    }

    /// <param name="askedPerInnocent">How often each innocent asked (a cache may answer all but the first).</param>
    internal void CheckOrigin(HostileOrigin origin, HostileCase hostile, IFrontDoor door, int askedPerInnocent = 1)
    {
        CheckOriginFraming(origin);
        var requests = origin.Requests;
        for (var i = 1; i <= Scenario.Innocents; i++)
        {
            var count = requests.Count(r => r.Target == $"/innocent/{i}");
            if (count < 1 || count > askedPerInnocent) Violations.Add($"the origin parsed /innocent/{i} {count} times");
        }
        foreach (var group in requests.GroupBy(r => r.Target))
        {
            if (group.Key.StartsWith("/innocent/", StringComparison.Ordinal)) continue;
            if (!hostile.OwnTargets.Contains(group.Key))
                Violations.Add($"the origin parsed a request no client sent: {group.First()}");
            else if (group.Count() > 1)
                Violations.Add($"the origin parsed {group.Key} {group.Count()} times, sent once");
        }
        foreach (var r in requests.Where(r => hostile.OwnMarkers.Contains(r.Marker) || r.Marker.StartsWith("innocent-", StringComparison.Ordinal) && !r.Marker.Contains(',')))
        {
            var hosts = r.Values("Host").ToArray();
            if (hosts is not [HostileCase.Host]) Violations.Add($"{r.Marker}'s request reached the origin with Host [{string.Join(", ", hosts)}]");
            if (door.SetsForwardedFor && r.Values("X-Forwarded-For").LastOrDefault()?.Split(',')[^1].Trim() != "127.0.0.1")
                Violations.Add($"{r.Marker}'s request reached the origin with X-Forwarded-For [{string.Join(", ", r.Values("X-Forwarded-For"))}], not its address");
            if (door.SetsForwardedHost && r.Values("X-Forwarded-Host").ToArray() is not [HostileCase.Host])
                Violations.Add($"{r.Marker}'s request reached the origin with X-Forwarded-Host [{string.Join(", ", r.Values("X-Forwarded-Host"))}]");
        }
    }
}
