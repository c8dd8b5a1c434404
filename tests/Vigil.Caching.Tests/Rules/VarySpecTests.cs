using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class VarySpecTests
{
    [Fact]
    public void Rfc9111_4_1_NamesAreNormalisedSortedAndDeduplicated()
    {
        var names = VarySpec.Names(new StringValues(["Accept-Encoding, ACCEPT-LANGUAGE", "accept-encoding"]));
        Assert.Equal(["accept-encoding", "accept-language"], names!);
        Assert.Null(VarySpec.Names(StringValues.Empty));
    }

    [Fact]
    public void Rfc9111_4_1_MatchesSameValuesModuloListWhitespace()
    {
        var names = VarySpec.Names("Accept-Encoding")!;
        var stored = VarySpec.Capture(names, new HeaderDictionary { ["Accept-Encoding"] = "gzip, br" });
        Assert.True(VarySpec.Matches(names, stored, new HeaderDictionary { ["accept-encoding"] = "gzip,br" }));
        Assert.True(VarySpec.Matches(names, stored, new HeaderDictionary { ["Accept-Encoding"] = new StringValues(["gzip", "br"]) }));
        Assert.False(VarySpec.Matches(names, stored, new HeaderDictionary { ["Accept-Encoding"] = "br, gzip" }));
        Assert.False(VarySpec.Matches(names, stored, new HeaderDictionary()));
    }

    [Fact]
    public void Rfc9111_4_1_AbsentFieldMatchesOnlyAbsentField()
    {
        var names = VarySpec.Names("Accept-Language")!;
        var stored = VarySpec.Capture(names, new HeaderDictionary());
        Assert.True(VarySpec.Matches(names, stored, new HeaderDictionary()));
        Assert.False(VarySpec.Matches(names, stored, new HeaderDictionary { ["Accept-Language"] = "fr" }));
    }

    [Fact]
    public void Rfc9111_4_1_VaryStarNeverMatches()
    {
        Assert.True(VarySpec.IsStar("Accept, *"));
        Assert.False(VarySpec.IsStar("Accept"));
    }
}
