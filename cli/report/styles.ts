/** The report page's stylesheet, inlined into the page (no external assets). */
export const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 24px 48px; }
.banner { border-radius: 12px; padding: 18px 22px; color: #fff; display: flex; gap: 22px; align-items: flex-start; }
.banner.completed { background: linear-gradient(135deg, #1a7f37, #2da44e); }
.banner.rolled-back, .banner.failed, .banner.invalid-input { background: linear-gradient(135deg, #a40e26, #cf222e); }
.banner.aborted, .banner.stopped-on-drift { background: linear-gradient(135deg, #9a4d00, #d4760a); }
.banner.running { background: linear-gradient(135deg, #0550ae, #218bff); }
.badge { font-size: 13px; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; background: rgba(255,255,255,.2); border: 1px solid rgba(255,255,255,.5); padding: 6px 12px; border-radius: 999px; white-space: nowrap; }
.banner h1 { margin: 0 0 2px; font-size: 22px; }
.banner .subtitle { margin: 0 0 8px; opacity: .92; }
.banner ul { margin: 0; padding-left: 18px; font-size: 13px; opacity: .95; }
.banner li:first-child { font-weight: 600; font-size: 14px; }
.stats { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin: 16px 0; }
.stat { background: #fff; border: 1px solid #d0d7de; border-radius: 10px; padding: 10px 14px; }
.stat .label { color: #59636e; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.stat .value { font-size: 22px; font-weight: 650; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 12px; padding: 16px 18px; margin: 16px 0; }
.card h2 { margin: 0 0 10px; font-size: 16px; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
.panel-title { font-size: 14px; font-weight: 650; fill: #1f2328; }
.panel-note { font-size: 12px; font-weight: 400; fill: #59636e; }
.blue-share { fill: #dcebfd; }
.green-area { fill: #2da44e; fill-opacity: .28; }
.green-line { fill: none; stroke: #1a7f37; stroke-width: 3; stroke-linejoin: round; }
.step-label { font-size: 12px; font-weight: 700; fill: #1a7f37; }
.grid { stroke: #d8dee4; stroke-width: 1; }
.axis, .xtick { stroke: #8c959f; stroke-width: 1; }
.tick { font-size: 11px; fill: #59636e; }
.axis-caption, .lane-label { font-size: 11px; fill: #59636e; }
.panel-bg { fill: #fbfcfd; }
.fail-zone { fill: #fff1f0; }
.lane { fill: #f3f4f6; }
.limit { stroke: #cf222e; stroke-width: 1.5; stroke-dasharray: 7 5; }
.limit-label { font-size: 11px; font-weight: 650; fill: #cf222e; }
.baseline-limit { fill: none; stroke: #bf8700; stroke-width: 1.5; stroke-dasharray: 3 4; }
.baseline-label { font-size: 11px; fill: #9a6700; }
.metric-line { fill: none; stroke: #1a7f37; stroke-width: 1.6; stroke-linejoin: round; }
.metric-dot, .verdict { stroke: #fff; stroke-width: 1.2; }
.marker-shift { stroke: #8c959f; stroke-width: 1; stroke-dasharray: 2 4; }
.marker-line { stroke-width: 2.5; }
.marker-text { font-size: 12px; font-weight: 700; fill: #fff; letter-spacing: .04em; }
.marker-rollback .marker-line { stroke: #cf222e; } .marker-rollback .marker-box { fill: #cf222e; }
.marker-abort .marker-line { stroke: #d4760a; } .marker-abort .marker-box { fill: #d4760a; }
.marker-complete .marker-line { stroke: #1a7f37; } .marker-complete .marker-box { fill: #1a7f37; }
.empty { font-size: 13px; fill: #8c959f; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-top: 10px; font-size: 12px; color: #424a53; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 16px; height: 10px; border-radius: 2px; }
.sw-green { background: #2da44e; } .sw-blue { background: #dcebfd; border: 1px solid #b6d4fb; }
.sw-pass { background: #1a7f37; border-radius: 50%; width: 10px; } .sw-fail { background: #cf222e; border-radius: 50%; width: 10px; }
.sw-inconclusive { background: #bf8700; border-radius: 50%; width: 10px; } .sw-error { background: #8250df; border-radius: 50%; width: 10px; }
.sw-limit { height: 0; border-top: 2px dashed #cf222e; border-radius: 0; }
.sw-baseline { height: 0; border-top: 2px dotted #bf8700; border-radius: 0; }
.sw-shift { height: 0; width: 0; height: 12px; border-left: 1px dashed #8c959f; border-radius: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-size: 12px; color: #59636e; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.summary th { width: 210px; text-transform: none; font-size: 13px; letter-spacing: 0; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.muted { color: #6e7781; }
.ok { color: #1a7f37; font-weight: 600; }
.pill { display: inline-block; color: #fff; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; white-space: nowrap; }
td.reason { font-size: 12.5px; color: #424a53; }
.evaluations { font-size: 13px; }
.evaluations td:nth-child(2) { white-space: nowrap; }
.series { fill: none; stroke-width: 2; stroke-linejoin: round; }
.series-green { stroke: #2da44e; } .series-blue { stroke: #0969da; }
.series-scope { stroke-width: 1.1; stroke-opacity: .6; }
.series-dot { stroke: none; } .series-dot-green { fill: #2da44e; } .series-dot-blue { fill: #0969da; }
.wait-band-insync { fill: #d8b9ff; } .wait-band-ttl { fill: #c8e1ff; }
.wait-text { font-size: 10px; fill: #1f2328; }
.sw-series-blue { height: 0; border-top: 2px solid #0969da; border-radius: 0; }
.sw-scope { height: 0; border-top: 1px solid #2da44e; border-radius: 0; }
.sw-insync { background: #d8b9ff; } .sw-ttl { background: #c8e1ff; }
.sw-dash { height: 0; border-top: 2px dashed #424a53; border-radius: 0; }
.links a { color: #0550ae; }
.self-check { border-color: #cf222e; background: #fff1f0; }
.self-check h2 { color: #a40e26; }
footer { color: #6e7781; font-size: 12px; margin-top: 24px; }
`;
