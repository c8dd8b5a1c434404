using System.Diagnostics;

namespace Vigil.Tests.Hosting;

/// <summary>The status page as a browser shows it: headless Chromium runs its script against the live admin API.</summary>
public sealed class StatusPageTests
{
    [Fact]
    public async Task Status_page_renders_pools_and_backend_states_in_a_real_browser()
    {
        await using var f = await DaemonFixture.StartAsync();
        (await f.Admin.PostAsync($"/api/pools/web/backends/{f.Backend(2)}/drain", null)).EnsureSuccessStatusCode();

        var dom = await DumpDomAsync($"http://127.0.0.1:{f.AdminPort}/");

        Assert.Contains("pool web", dom);
        Assert.Contains(f.Backend(0), dom);
        Assert.Contains("<td class=\"up\">up</td>", dom);
        Assert.Contains("<td class=\"draining\">draining</td>", dom);
        Assert.Contains("generation 1", dom);
    }

    private static async Task<string> DumpDomAsync(string url)
    {
        var profile = Directory.CreateTempSubdirectory("vigil-chromium-");
        try
        {
            var start = new ProcessStartInfo("chromium")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile.FullName}", "--virtual-time-budget=3000", "--dump-dom", url,
            }) start.ArgumentList.Add(arg);
            using var chromium = Process.Start(start)!;
            var output = chromium.StandardOutput.ReadToEndAsync();
            _ = chromium.StandardError.ReadToEndAsync();
            await chromium.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
