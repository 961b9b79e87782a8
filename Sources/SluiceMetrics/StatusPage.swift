/// The status page served at `/`: one self-contained HTML document (inline CSS and script, no
/// external assets, nothing fetched but `/status.json`) that a technician opens on the gateway.
/// It polls `/status.json` every 2 s and shows the health, ingest per topic, devices seen in the
/// last minute and the ones gone quiet, forward lag, disk and memory use, and the last errors.
/// Until the first answer it says it is loading; when answers stop it says so and keeps the last.
public enum StatusPage {
    /// The page, as bytes (compiled into the binary: nothing to install beside it).
    public static let bytes: [UInt8] = Array(html.utf8)

    /// The page's HTML.
    public static let html = #"""
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sluice status</title>
<style>
:root{--bg:#f4f6f8;--card:#fff;--ink:#1d2630;--mute:#5d6b79;--line:#dde3e9;--ok:#1f8a4c;--bad:#c0392b;--warn:#b7791f}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;align-items:center;gap:12px;flex-wrap:wrap;padding:14px 20px;background:#1d2630;color:#fff}
header h1{font-size:18px;margin:0;font-weight:600}header .sub{color:#b8c4cf;font-size:13px}
.pill{padding:3px 10px;border-radius:999px;font-weight:600;font-size:13px;background:#666}
.pill.ok{background:var(--ok);color:#fff}.pill.bad{background:var(--bad);color:#fff}#updated{margin-left:auto;color:#b8c4cf;font-size:13px}
main{padding:16px 20px;display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
.tiles{grid-column:1/-1;display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(150px,1fr))}
.tile,.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.tile .k{color:var(--mute);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.tile .v{font-size:22px;font-weight:600;margin-top:2px}
.tile .d{color:var(--mute);font-size:12px}.card h2{font-size:14px;margin:0 0 8px;text-transform:uppercase;letter-spacing:.04em;color:var(--mute)}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
th{color:var(--mute);font-weight:600;font-size:12px}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:var(--bad)}.okc{color:var(--ok)}.warn{color:var(--warn)}.empty{color:var(--mute);font-style:italic}
ul.problems{margin:6px 0 0;padding-left:18px;color:var(--bad)}ol.errors{margin:0;padding-left:18px}ol.errors li{margin:3px 0;word-break:break-word}ol.errors li.empty{list-style:none;margin-left:-18px}
.when{color:var(--mute);font-size:12px;margin-right:6px}
</style></head>
<body>
<header><h1>Sluice <span id="gateway">…</span></h1><span class="pill" id="health">loading</span>
<span class="sub" id="broker"></span><span id="updated">waiting for the daemon…</span></header>
<main>
<section class="tiles">
<div class="tile"><div class="k">MQTT</div><div class="v" id="mqtt">–</div><div class="d" id="mqtt-d"></div></div>
<div class="tile"><div class="k">Ingest</div><div class="v" id="rate">–</div><div class="d" id="rate-d"></div></div>
<div class="tile"><div class="k">Devices, last minute</div><div class="v" id="devices-seen">–</div><div class="d" id="devices-d"></div></div>
<div class="tile"><div class="k">Forward lag</div><div class="v" id="lag">–</div><div class="d" id="lag-d"></div></div>
<div class="tile"><div class="k">Disk</div><div class="v" id="disk">–</div><div class="d" id="disk-d"></div></div>
<div class="tile"><div class="k">Memory (RSS)</div><div class="v" id="rss">–</div><div class="d" id="uptime"></div></div>
</section>
<section class="card" id="problems-card" hidden><h2>What is wrong</h2><ul class="problems" id="problems"></ul></section>
<section class="card"><h2>Ingest per topic</h2><table><thead><tr><th>topic</th><th class="n">records/s</th><th class="n">bytes/s</th><th class="n">records</th><th class="n">on disk</th><th class="n">partitions</th></tr></thead><tbody id="topics"></tbody></table>
<div id="dead" class="d"></div></section>
<section class="card"><h2>Devices gone quiet</h2><table><thead><tr><th>device</th><th>profile</th><th class="n">silent for</th></tr></thead><tbody id="quiet"></tbody></table><div id="quiet-more" class="d"></div></section>
<section class="card"><h2>Forwarding upstream</h2><div id="upstream" class="d"></div><table><thead><tr><th>partition</th><th class="n">cursor</th><th class="n">end</th><th class="n">lag</th><th class="n">oldest</th></tr></thead><tbody id="forward"></tbody></table></section>
<section class="card"><h2>Last errors</h2><ol class="errors" id="errors"></ol></section>
</main>
<script>
"use strict";
const $=id=>document.getElementById(id);
function el(tag,text,cls){const e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e}
function row(cells){const tr=el("tr");for(const [t,c] of cells)tr.appendChild(el("td",t,c));return tr}
function fill(id,rows,empty,cols){const b=$(id);b.replaceChildren(...rows);if(!rows.length){const tr=el("tr"),td=el("td",empty,"empty");td.colSpan=cols;tr.appendChild(td);b.appendChild(tr)}}
function bytes(n){if(n==null)return"–";const u=["B","KiB","MiB","GiB","TiB"];let i=0;while(n>=1024&&i<u.length-1){n/=1024;i++}return(i?n.toFixed(1):n)+" "+u[i]}
function num(n){return n==null?"–":Math.round(n).toLocaleString("en-US")}
function rate(n){return n==null?"–":(n<10?n.toFixed(1):num(n))}
function ago(ms){let s=Math.max(0,Math.round(ms/1000));if(s<120)return s+" s";if(s<7200)return Math.round(s/60)+" min";if(s<172800)return Math.round(s/3600)+" h";return Math.round(s/86400)+" d"}
function time(ms){return new Date(ms).toLocaleTimeString("en-GB")}
let last=0;
function render(s){
  last=Date.now();const now=s.generatedAtMillis;
  $("gateway").textContent=s.gatewayID;$("broker").textContent="pid "+s.pid+" · broker "+s.broker;
  const problems=s.healthProblems||[];const h=$("health");h.textContent=problems.length?"unhealthy":"healthy";h.className="pill "+(problems.length?"bad":"ok");
  $("problems-card").hidden=!problems.length;$("problems").replaceChildren(...problems.map(p=>el("li",p)));
  $("mqtt").textContent=s.isConnected?"connected":"not connected";$("mqtt").className="v "+(s.isConnected?"okc":"bad");
  $("mqtt-d").textContent=num(s.messagesReceived)+" messages since start";
  let total=0,bps=0;for(const t of s.topics){total+=t.recordsPerSecond||0;bps+=t.bytesPerSecond||0}
  $("rate").textContent=rate(total)+" /s";$("rate-d").textContent=bytes(bps)+"/s · "+num(s.recordsAccepted)+" records";
  const d=s.devices;
  if(d){$("devices-seen").textContent=num(d.seenLastMinute);$("devices-d").textContent=num(d.knownDevices)+" known · "+num(d.quietCount)+" quiet > "+ago(d.quietAfterSeconds*1000)}
  else{$("devices-seen").textContent="–";$("devices-d").textContent="device registry unavailable"}
  const up=s.upstream;
  if(up){let lag=0,oldest=null;for(const p of up.partitions){lag+=p.lag;if(p.lag>0&&p.oldestUnforwardedMillis!=null&&(oldest==null||p.oldestUnforwardedMillis<oldest))oldest=p.oldestUnforwardedMillis}
    $("lag").textContent=num(lag);$("lag").className="v "+(lag>0?"warn":"okc");$("lag-d").textContent=oldest==null?"records · nothing waiting":"records · oldest "+ago(now-oldest);
    $("upstream").textContent=up.name+" ("+up.bootstrapServers+"): "+num(up.delivered)+" delivered, "+num(up.failed)+" failed, last delivery "+(up.lastDeliveryMillis?ago(now-up.lastDeliveryMillis)+" ago":"never");
    fill("forward",up.partitions.map(p=>row([[p.partition+(p.isHalted?" (halted)":""),p.isHalted?"bad":""],[num(p.cursor),"n"],[num(p.highWatermark),"n"],[num(p.lag),"n"+(p.lag>0?" warn":"")],[p.lag>0&&p.oldestUnforwardedMillis!=null?ago(now-p.oldestUnforwardedMillis):"–","n"]])),"no partitions",5)}
  else{$("lag").textContent="–";$("lag-d").textContent="not forwarding";$("upstream").textContent="No upstream configured.";fill("forward",[],"nothing forwarded",5)}
  $("disk").textContent=bytes(s.diskBytes);$("disk-d").textContent=(s.diskFreeBytes!=null?bytes(s.diskFreeBytes)+" free · ":"")+bytes(s.bytesWritten)+" written · "+num(s.fsyncs)+" fsyncs";
  $("rss").textContent=bytes(s.residentBytes);$("uptime").textContent="up "+ago(now-s.startedAtMillis);
  fill("topics",s.topics.map(t=>{const rec=t.partitions.reduce((a,p)=>a+p.highWatermark-p.logStartOffset,0),size=t.partitions.reduce((a,p)=>a+p.bytes,0);
    return row([[t.name],[rate(t.recordsPerSecond),"n"],[t.bytesPerSecond==null?"–":bytes(t.bytesPerSecond),"n"],[num(rec),"n"],[bytes(size),"n"],[String(t.partitions.length),"n"]])}),"no topics",6);
  const dl=Object.entries(s.deadLettersByReason||{}).sort();$("dead").textContent=dl.length?"Dead letters: "+dl.map(([r,c])=>r+" "+num(c)).join(", "):"No dead letters.";
  if(d){fill("quiet",d.quiet.map(q=>row([[q.deviceID],[q.profile||"–"],[ago(now-q.lastSeenMillis),"n"]])),"none: every known device spoke within "+ago(d.quietAfterSeconds*1000),3);
    $("quiet-more").textContent=d.quietCount>d.quiet.length?"… and "+num(d.quietCount-d.quiet.length)+" more":""}
  else fill("quiet",[],"unknown",3);
  const errs=(s.recentErrors||[]).slice().reverse();
  $("errors").replaceChildren(...errs.map(e=>{const li=el("li");li.appendChild(el("span",time(e.atMillis),"when"));li.appendChild(el("span",e.source+": ","warn"));li.appendChild(el("span",e.message));return li}));
  if(!errs.length)$("errors").appendChild(el("li","none since start","empty"));
  $("updated").textContent="updated "+time(now);
}
async function poll(){
  try{const r=await fetch("/status.json",{cache:"no-store"});if(!r.ok)throw new Error("HTTP "+r.status);render(await r.json())}
  catch(e){$("updated").textContent=last?"no answer since "+time(last)+" ("+e.message+")":"no answer from the daemon ("+e.message+")";$("health").textContent="unreachable";$("health").className="pill bad"}
  setTimeout(poll,2000);
}
poll();
</script>
</body></html>
"""#
}
