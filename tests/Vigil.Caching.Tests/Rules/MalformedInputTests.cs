using Microsoft.AspNetCore.Http;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

/// <summary>Garbage in header fields must be tolerated by every rule, never thrown on.</summary>
public class MalformedInputTests
{
    private const string Alphabet = "abcdefgmnorstvxy-=\",; \t\\*/W0123456789:?#%\u00e9\u0000";

    private static string Junk(Random random)
    {
        var chars = new char[random.Next(0, 40)];
        for (var i = 0; i < chars.Length; i++) chars[i] = Alphabet[random.Next(Alphabet.Length)];
        return new string(chars);
    }

    [Fact]
    public void RandomFieldValuesNeverThrow()
    {
        var random = new Random(9111);
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        for (var i = 0; i < 5000; i++)
        {
            var junk = Junk(random);
            var cc = CacheControl.Parse(junk);
            Assert.True(cc.MaxAge >= -1 && cc.SMaxAge >= -1 && cc.MaxStale >= -1);
            var headers = new HeaderDictionary
            {
                ["Cache-Control"] = junk, ["Expires"] = Junk(random), ["Date"] = Junk(random), ["Age"] = Junk(random),
                ["Last-Modified"] = Junk(random), ["ETag"] = Junk(random), ["Vary"] = junk, ["Location"] = Junk(random),
                ["Content-Location"] = Junk(random), ["If-None-Match"] = Junk(random), ["If-Modified-Since"] = Junk(random),
            };
            Assert.True(Freshness.Lifetime(200, cc, headers, now) >= TimeSpan.Zero);
            Assert.True(CacheAge.CorrectedInitialAge(headers, now, now) >= TimeSpan.Zero);
            Storability.Evaluate("GET", 200, cc, cc, false, true, headers["Vary"]);
            var names = VarySpec.Names(headers["Vary"]);
            if (names is not null) Assert.True(VarySpec.Matches(names, VarySpec.Capture(names, headers), headers));
            ConditionalRequest.IsNotModified(headers, Junk(random), now, now);
            Freshening.Selects(Junk(random), now, headers);
            Invalidation.Keys("http", "a.test", "/" + Junk(random), headers);
            CacheKey.FromUrl(Junk(random));
            var ranged = new HeaderDictionary { ["Range"] = "bytes=" + junk, ["If-Range"] = Junk(random) };
            var range = RangeRequest.Decide("GET", ranged, 200, random.Next(0, 100), true, Junk(random), now, now);
            if (range.Outcome == RangeOutcome.Partial) Assert.True(range.Start >= 0 && range.Length > 0);
        }
    }
}
