using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Vigil.Vrrp.Tests.Lab;

/// <summary>
/// A real keepalived (the Debian package) in one of the lab's namespaces, VRRP only, with a config
/// written by the test into its own temp directory; stopped with SIGTERM (it resigns with priority 0).
/// </summary>
internal sealed class Keepalived : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _dir;

    public Keepalived(string netns, byte version, byte priority, string interval, string vip, bool preempt = true)
    {
        _dir = Directory.CreateTempSubdirectory("vigil-keepalived-").FullName;
        var conf = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(conf, $$"""
            global_defs {
                router_id {{netns}}
                vrrp_version {{version}}
                vrrp_garp_master_delay 0
                enable_script_security
            }
            vrrp_instance front {
                state BACKUP
                interface eth0
                virtual_router_id 51
                priority {{priority}}
                advert_int {{interval}}
                {{(preempt ? "" : "nopreempt")}}
                virtual_ipaddress {
                    {{vip}} dev eth0
                }
            }
            """);
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "netns", "exec", netns, "keepalived", "--vrrp", "--dont-fork", "--log-console", "--log-detail", "--no-syslog",
            "--use-file", conf, "--pid", Path.Combine(_dir, "keepalived.pid"), "--vrrp_pid", Path.Combine(_dir, "vrrp.pid"),
            "--checkers_pid", Path.Combine(_dir, "checkers.pid"),
        })
        {
            start.ArgumentList.Add(a);
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>SIGTERM, like systemctl stop: keepalived's master sends priority 0 and removes its addresses.</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            NetnsLab.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], check: false);
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(true);
            }
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
