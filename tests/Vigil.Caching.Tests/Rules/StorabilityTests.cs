using Microsoft.Extensions.Primitives;
using Vigil.Caching.Rules;

namespace Vigil.Caching.Tests.Rules;

public class StorabilityTests
{
    private static StoreVerdict Eval(string response, int status = 200, string method = "GET", string? request = null,
        bool auth = false, bool expires = false, string? vary = null) =>
        Storability.Evaluate(method, status, CacheControl.Parse(request), CacheControl.Parse(response), auth, expires,
            vary is null ? StringValues.Empty : new StringValues(vary));

    [Fact]
    public void Rfc9111_3_GetWithMaxAgeIsStorable() => Assert.Equal(StoreVerdict.Storable, Eval("max-age=60"));

    [Theory]
    [InlineData("POST")]
    [InlineData("HEAD")]
    [InlineData("PUT")]
    public void Rfc9111_3_OnlyGetIsStored(string method) => Assert.Equal(StoreVerdict.Method, Eval("max-age=60", method: method));

    [Theory]
    [InlineData(206)]
    [InlineData(304)]
    [InlineData(101)]
    public void Rfc9111_3_PartialNotModifiedAndInterimAreNotStored(int status) => Assert.Equal(StoreVerdict.Status, Eval("max-age=60", status));

    [Theory]
    [InlineData(200)]
    [InlineData(404)]
    [InlineData(301)]
    [InlineData(410)]
    public void Rfc9111_3_HeuristicallyCacheableStatusNeedsNoExplicitFreshness(int status) =>
        Assert.Equal(StoreVerdict.Storable, Eval("", status));

    [Theory]
    [InlineData(302)]
    [InlineData(500)]
    [InlineData(503)]
    public void Rfc9111_3_OtherStatusesNeedExplicitFreshness(int status)
    {
        Assert.Equal(StoreVerdict.NoFreshness, Eval("", status));
        Assert.Equal(StoreVerdict.Storable, Eval("max-age=5", status));
        Assert.Equal(StoreVerdict.Storable, Eval("", status, expires: true));
    }

    [Fact]
    public void Rfc9111_5_2_2_5_ResponseNoStore() => Assert.Equal(StoreVerdict.NoStore, Eval("no-store, max-age=60"));

    [Fact]
    public void Rfc9111_5_2_1_5_RequestNoStore() => Assert.Equal(StoreVerdict.RequestNoStore, Eval("max-age=60", request: "no-store"));

    [Fact]
    public void Rfc9111_5_2_2_7_UnqualifiedPrivateIsNotStoredQualifiedIs()
    {
        Assert.Equal(StoreVerdict.Private, Eval("private, max-age=60"));
        Assert.Equal(StoreVerdict.Storable, Eval("private=\"X-User\", max-age=60"));
    }

    [Theory]
    [InlineData("max-age=60", StoreVerdict.Authorization)]
    [InlineData("public, max-age=60", StoreVerdict.Storable)]
    [InlineData("s-maxage=60", StoreVerdict.Storable)]
    [InlineData("must-revalidate, max-age=60", StoreVerdict.Storable)]
    public void Rfc9111_3_5_AuthorizationNeedsPublicSMaxAgeOrMustRevalidate(string response, StoreVerdict expected) =>
        Assert.Equal(expected, Eval(response, auth: true));

    [Fact]
    public void Rfc9111_5_2_2_3_MustUnderstandOverridesNoStoreForUnderstoodStatus()
    {
        Assert.Equal(StoreVerdict.Storable, Eval("must-understand, no-store, max-age=60"));
        Assert.Equal(StoreVerdict.Status, Eval("must-understand, no-store, max-age=60", status: 299));
    }

    [Fact]
    public void Rfc9111_4_1_VaryStarIsNotStored() => Assert.Equal(StoreVerdict.VaryStar, Eval("max-age=60", vary: "Accept, *"));
}
