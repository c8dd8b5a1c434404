namespace Vigil.Admin;

/// <summary>A self-contained status page that polls <c>/api/status</c>; no build step, no external assets.</summary>
internal static class StatusPage
{
    public const string Html = """
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil status</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
.up{color:#1a7f37;font-weight:600}.down,.ejected{color:#cf222e;font-weight:600}
.draining,.disabled{color:#9a6700;font-weight:600}.master{color:#1a7f37;font-weight:600}
</style></head><body>
<h1>Vigil <small id="node"></small></h1>
<div id="reload"></div><div id="pools"></div><div id="vrrp"></div><div id="caches"></div>
<script>
const esc = s => String(s ?? '-').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const table = (head, rows) => '<table><tr>' + head.map(h => '<th>' + h + '</th>').join('') + '</tr>' +
  rows.map(r => '<tr>' + r.join('') + '</tr>').join('') + '</table>';
async function refresh() {
  const s = await (await fetch('/api/status')).json();
  document.getElementById('node').textContent = s.node + ' · generation ' + s.generation;
  document.getElementById('reload').innerHTML = s.last_reload.ok ? '' :
    '<p class="down">last reload failed: ' + s.last_reload.errors.map(esc).join('<br>') + '</p>';
  document.getElementById('pools').innerHTML = s.pools.map(p => '<h2>pool ' + esc(p.name) + ' <small>' + esc(p.scheduler) + '</small></h2>' +
    table(['backend', 'state', 'weight', 'active', 'requests', 'failures', 'reason'], p.backends.map(b => [
      '<td>' + esc(b.address) + (b.backup ? ' (backup)' : '') + '</td>', '<td class="' + esc(b.state) + '">' + esc(b.state) + '</td>',
      '<td>' + b.weight + '</td>', '<td>' + b.active + '</td>', '<td>' + b.requests + '</td>', '<td>' + b.failures + '</td>',
      '<td>' + esc(b.reason) + '</td>']))).join('');
  document.getElementById('vrrp').innerHTML = s.vrrp.length ? '<h2>vrrp</h2>' + table(['instance', 'state', 'priority', 'master'],
    s.vrrp.map(v => ['<td>' + esc(v.name) + '</td>', '<td class="' + esc(String(v.state).toLowerCase()) + '">' + esc(v.state) + '</td>',
      '<td>' + esc(v.effective_priority) + '</td>', '<td>' + esc(v.master_address) + '</td>'])) : '';
  document.getElementById('caches').innerHTML = s.caches.length ? '<h2>caches</h2>' + table(['cache', 'entries', 'bytes', 'hits', 'misses'],
    s.caches.map(c => ['<td>' + esc(c.name) + '</td>', '<td>' + c.entries + '</td>', '<td>' + c.bytes + '</td>', '<td>' + c.hits + '</td>', '<td>' + c.misses + '</td>'])) : '';
}
refresh(); setInterval(refresh, 2000);
</script></body></html>
""";
}
