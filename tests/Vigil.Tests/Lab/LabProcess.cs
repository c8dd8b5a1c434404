using System.Diagnostics;
using System.Text;

namespace Vigil.Tests.Lab;

/// <summary>
/// A long-running process the test started inside a namespace (`ip netns exec NS cmd...`, which execs the
/// command in place, so the process id is the command's own), with its output kept for the test log.
/// </summary>
internal sealed class LabProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private readonly Action<string>? _onLine;

    public LabProcess(string label, string ns, params string[] command)
        : this(label, ns, null, command)
    {
    }

    /// <param name="onLine">Called with each line of output as it arrives (on a thread-pool thread).</param>
    public LabProcess(string label, string ns, Action<string>? onLine, params string[] command)
    {
        Label = label;
        _onLine = onLine;
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["netns", "exec", ns, .. command])
        {
            start.ArgumentList.Add(a);
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Id = _process.Id;
    }

    public string Label { get; }
    public int Id { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>SIGKILL: no chance to resign or release anything, like a crash or the OOM killer.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, as systemd stops a service.</summary>
    public void Terminate() => NetnsLab.Run("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], check: true);

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        _onLine?.Invoke(line);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }
}
