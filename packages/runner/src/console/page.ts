/**
 * The console's page and stylesheet. No inline script or style: the page is served with a strict CSP
 * (`script-src 'self'`), and every record value is put in as text by the script.
 */
export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ledgerlink console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<section id="login" class="login">
  <form id="login-form" data-testid="login-form">
    <h1>ledgerlink</h1>
    <p>Operator console. Log in with an API token from the runner config.</p>
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" data-testid="token" required>
    <button type="submit" class="primary" data-testid="login">Log in</button>
    <p id="login-error" class="error-text" data-testid="login-error" role="alert"></p>
  </form>
</section>
<main id="app" hidden>
  <header class="top">
    <h1>ledgerlink</h1>
    <span id="who" data-testid="who"></span>
    <button id="logout" type="button">Log out</button>
  </header>
  <div id="flash" class="flash" data-testid="flash" role="status"></div>
  <div class="layout">
    <section class="records">
      <nav id="tabs" class="tabs" aria-label="Records by state"></nav>
      <form id="filters" class="filters">
        <select id="filter-tenant" data-testid="filter-tenant" aria-label="Tenant"><option value="">All tenants</option></select>
        <select id="filter-entity" data-testid="filter-entity" aria-label="Record type">
          <option value="">Every record type</option><option value="payment">Payments</option><option value="requisition">Requisitions (invoices)</option><option value="vendor">Vendors</option>
        </select>
        <select id="filter-direction" data-testid="filter-direction" aria-label="Direction">
          <option value="">Both directions</option><option value="export">Export (to the ERP)</option><option value="import">Import (to the hub)</option>
        </select>
        <input id="filter-q" type="search" placeholder="Vendor, invoice, check number or vendor code" data-testid="filter-q" aria-label="Search">
        <button type="submit" data-testid="search">Search</button>
      </form>
      <table class="grid">
        <thead><tr><th>State</th><th>Tenant</th><th>Type</th><th>Vendor</th><th>Invoice / code</th><th class="num">Amount</th><th>Check #</th><th>Bank ID</th><th>Reason</th><th>Updated</th></tr></thead>
        <tbody id="records-body" data-testid="records"></tbody>
      </table>
      <button id="more" type="button" hidden>Load more</button>
    </section>
    <aside id="detail" class="detail" data-testid="detail" hidden></aside>
  </div>
  <section class="side">
    <h2>Tenants and lanes</h2>
    <div id="tenants" class="tenants"></div>
    <h2>Exports, last 12 hours</h2>
    <div id="chart" class="chart"></div>
  </section>
</main>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

export const CONSOLE_CSS = `
:root { --fg:#1d2430; --muted:#5d6b7e; --line:#d8dee8; --bg:#f6f8fb; --card:#fff; --accent:#1f5fbf; --bad:#b42318; --good:#147a3d; --warn:#a15c00; font: 14px/1.4 system-ui, sans-serif; color: var(--fg); }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); }
h1 { font-size: 18px; margin: 0; } h2 { font-size: 15px; margin: 18px 0 8px; } h3 { font-size: 14px; margin: 14px 0 6px; }
button { font: inherit; padding: 5px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--card); cursor: pointer; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
button:disabled { opacity: .6; cursor: default; }
input, select { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.login { display: grid; place-items: center; min-height: 100vh; }
.login form { background: var(--card); padding: 28px; border: 1px solid var(--line); border-radius: 8px; display: grid; gap: 8px; width: 340px; }
.error-text { color: var(--bad); min-height: 1.4em; margin: 0; }
.top { display: flex; gap: 16px; align-items: center; padding: 10px 18px; background: var(--card); border-bottom: 1px solid var(--line); }
.top #who { margin-left: auto; color: var(--muted); }
.flash { padding: 0 18px; min-height: 22px; line-height: 22px; }
.flash.ok { color: var(--good); } .flash.error { color: var(--bad); }
.layout { display: flex; gap: 16px; padding: 0 18px; align-items: flex-start; }
.records { flex: 1 1 auto; min-width: 0; }
.tabs { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0 10px; }
.tab.active { background: var(--accent); color: #fff; border-color: var(--accent); }
.tab.alert:not(.active) { border-color: var(--bad); color: var(--bad); }
.tab .count { font-variant-numeric: tabular-nums; opacity: .8; }
.filters { display: flex; gap: 6px; margin-bottom: 8px; } .filters input { flex: 1; }
table.grid { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
table.grid th, table.grid td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.grid th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr.row { cursor: pointer; } tr.row:hover { background: #eef3fb; } tr.row.selected { background: #e2ecfa; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.reason { color: var(--bad); max-width: 320px; } .time { color: var(--muted); white-space: nowrap; }
.empty { color: var(--muted); text-align: center; padding: 18px; }
.state { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e8ecf2; white-space: nowrap; }
.state-failed { background: #fde7e5; color: var(--bad); } .state-synced { background: #e3f4ea; color: var(--good); }
.state-awaiting_approval, .state-blocked { background: #fff1dc; color: var(--warn); } .state-exporting, .state-pending { background: #e6eefb; color: var(--accent); }
.detail { flex: 0 0 420px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
.detail header { display: flex; gap: 10px; align-items: center; } .detail header h2 { margin: 0; }
.detail .close { margin-left: auto; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 12px; margin-top: 10px; }
.field .label { display: block; font-size: 12px; color: var(--muted); }
.error { background: #fdf1f0; border: 1px solid #f3c7c2; border-radius: 4px; padding: 8px; margin-top: 10px; }
.error .erp { margin-top: 4px; } .notice { color: var(--warn); }
.edit, .approval { display: grid; gap: 6px; margin-top: 8px; }
input.suspect { border-color: var(--bad); }
table.mini { width: 100%; border-collapse: collapse; font-size: 12px; } table.mini td, table.mini th { text-align: left; padding: 3px 4px; border-bottom: 1px solid var(--line); }
.history { padding-left: 18px; font-size: 12px; } .history li { margin-bottom: 3px; overflow-wrap: anywhere; } .audit-detail { color: var(--muted); }
.side { padding: 0 18px 24px; }
.tenants { display: flex; flex-wrap: wrap; gap: 10px; }
.tenant { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 260px; }
.tenant h3 { margin: 0 0 4px; } .tenant small { color: var(--muted); font-weight: normal; }
.lane { font-size: 12px; color: var(--muted); margin: 4px 0 6px; }
.ok { color: var(--good); } .off, .throttled { color: var(--bad); }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-width: 680px; }
.chart svg { width: 100%; height: auto; } .chart .bar { fill: var(--accent); } .chart .axis { stroke: var(--line); } .chart .tick { font-size: 10px; fill: var(--muted); }
`;
