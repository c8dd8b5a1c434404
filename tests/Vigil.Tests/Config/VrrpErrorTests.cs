using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>VRRP instance rules (RFC 9568, RFC 3768, keepalived's bounds), each with its exact line.</summary>
public class VrrpErrorTests
{
    // Prefix (ConfigAssert.Prefix) takes lines 1–8; "vrrp:" is line 9, the instance starts on line 10,
    // virtual_addresses is line 13 and the extra keys start on line 14.
    private static string Instance(string extra, string vips = "[ 192.0.2.50/24 ]") => Prefix + $$"""
        vrrp:
          - name: front
            interface: eth0
            vrid: 51
            virtual_addresses: {{vips}}
        {{extra}}
        """;

    [Theory]
    [InlineData("0")]
    [InlineData("256")]
    public void Vrid_out_of_range(string vrid) => Single(Prefix + $$"""
        vrrp:
          - name: front
            interface: eth0
            vrid: {{vrid}}
            virtual_addresses: [ 192.0.2.50/24 ]
        """, 12, "vrrp.front.vrid", "out of range 1–255");

    [Fact]
    public void Vrid_unique_per_interface() => Single(Prefix + """
        vrrp:
          - { name: a, interface: eth0, vrid: 51, virtual_addresses: [ 192.0.2.50 ] }
          - { name: b, interface: eth1, vrid: 51, virtual_addresses: [ 192.0.2.60 ] }
          - { name: c, interface: eth0, vrid: 51, virtual_addresses: [ "2001:db8::50/64" ] }
          - name: d
            interface: eth0
            vrid: 51
            virtual_addresses: [ 192.0.2.70 ]
        """, 15, "vrid 51 is already used on eth0 by 'a' (line 10)");

    [Theory]
    [InlineData("0", "out of range 1–255")]
    [InlineData("256", "out of range 1–255")]
    public void Priority_out_of_range(string priority, string fragment) =>
        Single(Instance($"    priority: {priority}"), 14, "vrrp.front.priority", fragment);

    [Fact]
    public void Priority_255_is_the_address_owner() =>
        Assert.Equal(255, Valid(Instance("    priority: 255")).Vrrp[0].Options.Priority);

    [Theory]
    [InlineData("5ms", "out of range 10ms–40.95s")]
    [InlineData("41s", "out of range 10ms–40.95s")]
    [InlineData("15ms", "not a whole number of centiseconds")]
    public void V3_advert_interval_bounds(string interval, string fragment) =>
        Single(Instance($"    advert_interval: {interval}"), 14, "vrrp.front.advert_interval", fragment);

    [Theory]
    [InlineData("20ms", 20)]
    [InlineData("40.95s", 40_950)]
    [InlineData("100ms", 100)]
    public void V3_advert_interval_in_centiseconds(string interval, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Valid(Instance($"    advert_interval: {interval}")).Vrrp[0].Options.AdvertInterval);

    [Theory]
    [InlineData("1500ms")]
    [InlineData("256s")]
    [InlineData("100ms")]
    public void V2_advert_interval_whole_seconds(string interval) =>
        Single(Instance($"    version: 2\n    advert_interval: {interval}"), 15, "VRRPv2 intervals are whole seconds 1s–255s");

    [Fact]
    public void Virtual_addresses_of_one_family() =>
        Single(Instance("", "\n      - 192.0.2.50/24\n      - 2001:db8::50/64"), 15,
            "not of the same family as 192.0.2.50/24");

    [Fact]
    public void Virtual_address_must_parse() =>
        Single(Instance("", "[ 192.0.2.500/24 ]"), 13, "vrrp.front.virtual_addresses", "not an IP address or CIDR");

    [Fact]
    public void Virtual_addresses_required() => Single(Prefix + """
        vrrp:
          - { name: front, interface: eth0, vrid: 51 }
        """, 10, "'virtual_addresses' is required");

    [Fact]
    public void V2_is_ipv4_only() =>
        Single(Instance("    version: 2", "[ \"2001:db8::50/64\" ]"), 13, "VRRPv2 is IPv4 only");

    [Fact]
    public void Auth_only_for_v2()
    {
        Single(Instance("    auth_pass: secret"), 14, "authentication exists only in VRRP version 2");
        var v = Valid(Instance("    version: 2\n    auth_pass: secret")).Vrrp[0];
        Assert.Equal("secret", v.Options.AuthPassword);
        Assert.DoesNotContain("secret", v.ToString());
        Single(Instance("    version: 2\n    auth_pass: much-too-long"), 15, "at most 8 characters");
    }

    [Fact]
    public void Checksum_as_v2_only_for_v3_ipv4() =>
        Single(Instance("    version: 2\n    v3_checksum_as_v2: true"), 15, "applies only to version 3");

    [Fact]
    public void Track_referencing_an_unknown_pool() =>
        Single(Instance("    track:\n      pools: { web: -60, wbe: -10 }"), 15, "vrrp.front.track.pools.wbe", "pool 'wbe' does not exist", "did you mean 'web'?");

    [Fact]
    public void Track_weights_in_keepalived_range()
    {
        var result = Load(Instance("""
                track:
                  interfaces: { eth1: -255 }
                  scripts:
                    - { path: /usr/local/bin/check, weight: 0 }
            """));
        Assert.Equal([15, 17], result.Errors.Select(e => e.Line));
        Assert.Contains("out of range -254–254", result.Errors[0].Message);
        Assert.Contains("a weight of 0 changes nothing", result.Errors[1].Message);
    }

    [Fact]
    public void Owner_cannot_track() =>
        Single(Instance("    priority: 255\n    track: { pools: { web: -60 } }"), 15, "cannot track");

    [Fact]
    public void Udp_transport_needs_its_section() =>
        Single(Instance("    transport: udp"), 14, "vrrp.front.transport", "needs a 'udp' section");

    [Fact]
    public void Vmac_needs_netlink() =>
        Single(Instance("    address_mode: bind\n    vmac: true"), 15, "vmac needs address_mode: netlink");

    [Fact]
    public void Unicast_peers_of_the_same_family() =>
        Single(Instance("    unicast_peers: [ 192.0.2.2, \"2001:db8::2\" ]"), 14, "not of the virtual addresses' family");

    [Fact]
    public void Preempt_delay_needs_preempt() =>
        Single(Instance("    preempt: false\n    preempt_delay: 10s"), 15, "needs preempt: true");

    [Fact]
    public void Duplicate_instance_name() => Single(Prefix + """
        vrrp:
          - { name: a, interface: eth0, vrid: 51, virtual_addresses: [ 192.0.2.50 ] }
          - { name: a, interface: eth0, vrid: 52, virtual_addresses: [ 192.0.2.60 ] }
        """, 11, "duplicate vrrp instance name (first at line 10)");
}
