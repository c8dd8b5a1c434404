using System.Net;
using Vigil.Config;
using Vigil.Vrrp.Addresses;
using Vigil.Vrrp.Packets;
using static Vigil.Tests.Config.ConfigAssert;

namespace Vigil.Tests.Config;

/// <summary>VRRP instances map onto the Vigil.Vrrp options the host builds instances from.</summary>
public class VrrpMappingTests
{
    [Fact]
    public void Pair_node_maps_to_instance_options()
    {
        var v = ConfigLoader.LoadFile(Path.Combine(DeployExamplesTests.RepoRoot(), "deploy", "two-node-a.yaml")).Config!.Vrrp[0];
        var o = v.ToOptions();
        Assert.Equal(("front", (byte)51, (byte)150, (byte)3), (o.Name, o.Vrid, o.Priority, o.Version));
        Assert.Equal(TimeSpan.FromSeconds(1), o.AdvertInterval);
        Assert.Equal((true, TimeSpan.FromSeconds(10)), (o.Preempt, o.PreemptDelay));
        Assert.Equal(new VirtualAddress(IPAddress.Parse("192.0.2.50"), 24), Assert.Single(o.VirtualAddresses));
        Assert.Equal(VrrpChecksumForm.V3PseudoHeader, o.Ipv4ChecksumForm);
        Assert.Equal("/etc/vigil/notify.sh", o.NotifyScript);
        Assert.Null(o.AuthPassword);

        var raw = v.ToRawTransportOptions();
        Assert.Equal(("eth0", false), (raw.Interface, raw.Ipv6));
        Assert.Empty(raw.UnicastPeers);
        Assert.Equal((5, TimeSpan.FromMilliseconds(100)), (v.ToAnnounceOptions().Repeat, v.ToAnnounceOptions().Interval));
    }

    [Fact]
    public void V2_with_auth_and_v3_checksum_variants()
    {
        var c = Valid("""
            vrrp:
              - { name: old, interface: eth0, vrid: 1, version: 2, advert_interval: 3s, auth_pass: s3cret, virtual_addresses: [ 192.0.2.1 ] }
              - { name: ka, interface: eth0, vrid: 2, v3_checksum_as_v2: true, advert_interval: 20ms, virtual_addresses: [ 192.0.2.2 ] }
              - { name: six, interface: eth1, vrid: 3, virtual_addresses: [ "2001:db8::3/64" ], unicast_peers: [ "2001:db8::4" ] }
            """);
        var old = c.Vrrp[0].ToOptions();
        Assert.Equal(((byte)2, "s3cret", TimeSpan.FromSeconds(3)), (old.Version, old.AuthPassword, old.AdvertInterval));
        var ka = c.Vrrp[1].ToOptions();
        Assert.Equal((VrrpChecksumForm.V3WithoutPseudoHeader, TimeSpan.FromMilliseconds(20)), (ka.Ipv4ChecksumForm, ka.AdvertInterval));
        var six = c.Vrrp[2].ToRawTransportOptions();
        Assert.True(six.Ipv6);
        Assert.Equal(IPAddress.Parse("2001:db8::4"), Assert.Single(six.UnicastPeers));
    }

    /// <summary>Defaults drift (issue 9, defect 8): the config said garp_repeat 5 while AnnounceOptions said 3.</summary>
    [Fact]
    public void An_instance_with_no_optional_keys_is_the_librarys_defaults()
    {
        var v = Valid("vrrp:\n  - { name: front, interface: eth0, vrid: 51, virtual_addresses: [ 192.0.2.50/24 ] }\n").Vrrp[0];
        Assert.Equal(new Vigil.Vrrp.VrrpInstanceOptions { Name = "front", Vrid = 51, VirtualAddresses = v.ToOptions().VirtualAddresses }, v.ToOptions());
        Assert.Equal(new AnnounceOptions(), v.ToAnnounceOptions());
    }

    /// <summary>
    /// With vmac the library answers with ARP replies (a crashed master's leftover macvlan would answer a
    /// request from the same MAC and pull the switch port back); the host's copy of the announce
    /// options used to drop that default.
    /// </summary>
    [Fact]
    public void Vmac_keeps_the_librarys_arp_reply_default()
    {
        var v = Valid("vrrp:\n  - { name: front, interface: eth0, vrid: 51, vmac: true, virtual_addresses: [ 192.0.2.50/24 ] }\n").Vrrp[0];
        Assert.True(v.ToAnnounceOptions().ArpReply);
    }
}
