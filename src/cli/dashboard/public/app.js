// The pg_dispatch dashboard page. Plain JavaScript, no library, no build step.
//
// Everything shown comes from the server as data and goes into the page as text: elements are made
// with createElement and filled with textContent (h() below), never from HTML strings. Labels,
// commands, errors and result rows are user text: a label such as <img src=x onerror=...> is
// shown as those characters. Live updates come from the server (Server-Sent Events, /api/events),
// not from polling.

const STATUSES = ['scheduled', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'];
const FINISHED = ['succeeded', 'failed', 'cancelled', 'timed_out'];
const RETRYABLE = ['failed', 'cancelled', 'timed_out'];
const SVG = 'http://www.w3.org/2000/svg';

// ---------------------------------------------------------------------------------------------
// DOM helpers: text only.

/** An element with properties (class, text, on*, attributes) and children (nodes or text). */
function h(tag, props = {}, ...kids) {
  const el = document.createElement(tag);
  setProps(el, props);
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) el.append(k instanceof Node ? k : String(k));
  return el;
}

/** An SVG element, the same way. */
function s(tag, props = {}, ...kids) {
  const el = document.createElementNS(SVG, tag);
  setProps(el, props);
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) el.append(k instanceof Node ? k : String(k));
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.setAttribute('class', v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
}

const $ = (id) => document.getElementById(id);

/** Replaces an element's children (nodes or text; null and false are left out). */
function fill(el, ...kids) {
  el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

// ---------------------------------------------------------------------------------------------
// Formatting.

function ago(iso) {
  if (!iso) return '';
  const d = (Date.now() - new Date(iso).getTime()) / 1000;
  const a = Math.abs(d);
  const t = a < 1 ? 'now' : a < 60 ? `${Math.round(a)}s` : a < 3600 ? `${Math.round(a / 60)}m` : a < 86400 ? `${Math.round(a / 3600)}h` : `${Math.round(a / 86400)}d`;
  return t === 'now' ? t : d >= 0 ? `${t} ago` : `in ${t}`;
}

function when(iso) {
  if (!iso) return h('span', { class: 'muted', text: '–' });
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString(), text: ago(iso) });
}

function seconds(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x < 0.001) return '<1 ms';
  if (x < 1) return `${Math.round(x * 1000)} ms`;
  if (x < 60) return `${x.toFixed(x < 10 ? 2 : 1)} s`;
  if (x < 3600) return `${Math.floor(x / 60)}m ${Math.round(x % 60)}s`;
  return `${Math.floor(x / 3600)}h ${Math.floor((x % 3600) / 60)}m`;
}

function between(a, b) {
  return a && b ? seconds((new Date(b) - new Date(a)) / 1000) : '–';
}

const pill = (status) => h('span', { class: `pill st-${status}`, text: status.replace('_', ' ') });
const num = (n) => Number(n ?? 0).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Talking to the server.

async function api(path, body) {
  const r = await fetch(path, body === undefined ? { credentials: 'same-origin' }
    : { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
  if (!r.ok) throw Object.assign(new Error(data.error || r.statusText), data);
  return data;
}

let flashTimer;
function flash(text, kind = 'ok') {
  const el = $('flash');
  el.textContent = text;
  el.className = `flash ${kind}`;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { el.hidden = true; }, kind === 'ok' ? 3000 : 8000);
}

/** A button that asks for a second click before it acts (no dialogs). */
function actionButton(label, confirmLabel, run) {
  let armed = false;
  let timer;
  const b = h('button', { class: 'act', type: 'button', text: label });
  b.addEventListener('click', async () => {
    if (confirmLabel && !armed) {
      armed = true;
      b.textContent = confirmLabel;
      b.classList.add('armed');
      timer = setTimeout(() => { armed = false; b.textContent = label; b.classList.remove('armed'); }, 4000);
      return;
    }
    clearTimeout(timer);
    b.disabled = true;
    try {
      flash(await run());
    } catch (e) {
      flash(`${e.message}${e.hint ? ` (${e.hint})` : ''}`, 'error');
    } finally {
      armed = false;
      b.textContent = label;
      b.classList.remove('armed');
      b.disabled = false;
    }
  });
  return b;
}

// ---------------------------------------------------------------------------------------------
// State.

let me = null; // /api/me: role, rights, what this pg_dispatch has
let summary = null; // /api/summary, then each 'summary' event
const view = { name: '', jobId: null, filter: {}, cursors: [], page: null, rows: new Map() };

const canAct = (fn) => me && !me.readOnly && me.may[fn];

// ---------------------------------------------------------------------------------------------
// Routing: #/ (overview and job list, filters in the query), #/job/ID.

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const m = /^job\/(\d{1,19})$/.exec(raw);
  if (m) return { name: 'job', jobId: m[1] };
  const q = new URLSearchParams(raw.startsWith('?') ? raw.slice(1) : '');
  const filter = {};
  for (const k of ['status', 'label', 'since']) if (q.get(k)) filter[k] = q.get(k);
  return { name: 'overview', filter };
}

function filterHash(f) {
  const q = new URLSearchParams();
  for (const k of ['status', 'label', 'since']) if (f[k]) q.set(k, f[k]);
  const t = q.toString();
  return t ? `#/?${t}` : '#/';
}

async function route() {
  const r = parseHash();
  view.name = r.name;
  if (r.name === 'job') {
    view.jobId = r.jobId;
    await renderJob();
  } else {
    view.jobId = null;
    view.filter = r.filter;
    view.cursors = [];
    renderOverview();
    await loadJobs();
  }
}

// ---------------------------------------------------------------------------------------------
// Overview.

function renderOverview() {
  fill($('main'), 
    h('section', { id: 'counts', class: 'tiles' }),
    h('section', { class: 'charts' },
      h('div', { class: 'card' }, h('h2', { text: 'Throughput, last hour (jobs finished per minute)' }), h('div', { id: 'chart-throughput' })),
      h('div', { class: 'card' }, h('h2', { text: 'Start latency, last hour (due → started)' }), h('div', { id: 'chart-latency' }))),
    h('section', { class: 'grid' },
      h('div', { class: 'card', id: 'labels' }),
      h('div', { class: 'card', id: 'queues', hidden: true })),
    h('section', { class: 'card', id: 'schedules', hidden: true }),
    h('section', { class: 'card', id: 'jobs' },
      h('h2', { text: 'Jobs' }),
      filterForm(),
      h('div', { id: 'job-list' }, h('p', { class: 'muted', text: 'Loading…' })),
      h('div', { id: 'pager', class: 'pager' })),
  );
  if (summary) renderSummary();
}

function renderSummary() {
  if (view.name !== 'overview' || !summary) return;
  renderCounts();
  renderThroughput();
  renderLatency();
  renderLabels();
  renderQueues();
  renderSchedules();
}

function renderCounts() {
  const now = summary.counts;
  const hour = summary.hour;
  const plus = now.capped ? '+' : '';
  const tile = (status, n, note) => h('a', { class: `tile st-${status}`, href: filterHash({ status, ...(FINISHED.includes(status) ? { since: '1h' } : {}) }), title: `show ${status.replace('_', ' ')} jobs` },
    h('span', { class: 'n', text: num(n) + (FINISHED.includes(status) ? '' : plus) }), h('span', { class: 'k', text: status.replace('_', ' ') }), h('span', { class: 'x', text: note }));
  const pct = (a) => (a ? a.map((x) => seconds(x)) : ['–', '–', '–']);
  const [l50, l95, l99] = pct(hour.latency);
  const [r50, r95, r99] = pct(hour.run_time);
  fill($('counts'), 
    tile('scheduled', now.scheduled, Number(now.due) ? `${num(now.due)} due now` : 'waiting'),
    tile('running', now.running, 'now'),
    ...FINISHED.map((k) => tile(k, hour[k], 'last hour')),
    h('div', { class: 'tile lat' }, h('span', { class: 'n', text: l50 }), h('span', { class: 'k', text: 'start latency p50' }), h('span', { class: 'x', text: `p95 ${l95} · p99 ${l99}` })),
    h('div', { class: 'tile lat' }, h('span', { class: 'n', text: r50 }), h('span', { class: 'k', text: 'run time p50' }), h('span', { class: 'x', text: `p95 ${r95} · p99 ${r99}` })),
  );
}

/** The last hour as 60 minutes, oldest first, from the summary's per-minute rows. */
function minutes() {
  const now = Math.floor(new Date(summary.at).getTime() / 60000);
  const out = Array.from({ length: 60 }, (_, i) => ({ t: (now - 59 + i) * 60000, succeeded: 0, other: 0, p50: null, p95: null }));
  for (const m of summary.minutes ?? []) {
    const i = Math.floor(new Date(m.m).getTime() / 60000) - (now - 59);
    if (i >= 0 && i < 60) Object.assign(out[i], { succeeded: Number(m.succeeded), other: Number(m.other), p50: m.p50, p95: m.p95 });
  }
  return out;
}

const W = 600;
const H = 150;
const PAD = { l: 44, r: 8, t: 10, b: 20 };

function axes(svg, max, fmt) {
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / max);
  for (const v of [0, max / 2, max]) {
    svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: PAD.l - 4, y: y(v) + 4, class: 'ylabel', 'text-anchor': 'end', text: v === 0 ? '0' : fmt(v) }));
  }
  for (const [i, t] of [[0, '−60m'], [30, '−30m'], [59, 'now']]) {
    svg.append(s('text', { x: PAD.l + (i + 0.5) * ((W - PAD.l - PAD.r) / 60), y: H - 4, class: 'xlabel', 'text-anchor': 'middle', text: t }));
  }
  return y;
}

function renderThroughput() {
  const ms = minutes();
  const max = Math.max(1, ...ms.map((m) => m.succeeded + m.other));
  const nice = niceMax(max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'jobs finished per minute, last hour' });
  const y = axes(svg, nice, (v) => num(Math.round(v)));
  const bw = (W - PAD.l - PAD.r) / 60;
  ms.forEach((m, i) => {
    const x = PAD.l + i * bw + 1;
    const title = `${new Date(m.t).toLocaleTimeString()}: ${m.succeeded} succeeded, ${m.other} failed, cancelled or timed out`;
    if (m.succeeded) svg.append(s('rect', { x, y: y(m.succeeded), width: bw - 2, height: y(0) - y(m.succeeded), class: 'bar ok' }, s('title', { text: title })));
    if (m.other) svg.append(s('rect', { x, y: y(m.succeeded + m.other), width: bw - 2, height: y(m.succeeded) - y(m.succeeded + m.other), class: 'bar bad' }, s('title', { text: title })));
  });
  const total = ms.reduce((a, m) => a + m.succeeded + m.other, 0);
  fill($('chart-throughput'), svg, h('p', { class: 'legend' },
    h('span', { class: 'key ok' }), 'succeeded ', h('span', { class: 'key bad' }), 'failed, cancelled, timed out',
    h('span', { class: 'muted', text: ` · ${num(total)} in the hour` })));
}

function renderLatency() {
  const ms = minutes();
  const max = niceMax(Math.max(0.01, ...ms.map((m) => m.p95 ?? 0)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'start latency per minute, last hour' });
  const y = axes(svg, max, seconds);
  const bw = (W - PAD.l - PAD.r) / 60;
  for (const [key, cls] of [['p95', 'p95'], ['p50', 'p50']]) {
    // One line per run of minutes that have jobs; a lone minute is a dot.
    let run = [];
    const flush = () => {
      if (run.length > 1) svg.append(s('polyline', { points: run.map(([x, v]) => `${x},${y(v)}`).join(' '), class: `line ${cls}` }));
      else if (run.length === 1) svg.append(s('circle', { cx: run[0][0], cy: y(run[0][1]), r: 2.5, class: `dot ${cls}` }));
      run = [];
    };
    ms.forEach((m, i) => {
      if (m[key] === null) { flush(); return; }
      run.push([PAD.l + (i + 0.5) * bw, Math.min(m[key], max)]);
    });
    flush();
  }
  fill($('chart-latency'), svg, h('p', { class: 'legend' },
    h('span', { class: 'key p50' }), 'median ', h('span', { class: 'key p95' }), '95th percentile'));
}

function niceMax(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function countsBar(counts) {
  const total = STATUSES.reduce((a, k) => a + Number(counts[k] ?? 0), 0) || 1;
  return h('div', { class: 'stack', title: STATUSES.filter((k) => counts[k]).map((k) => `${k} ${counts[k]}`).join(', ') },
    ...STATUSES.filter((k) => counts[k]).map((k) => {
      const seg = h('span', { class: `seg st-${k}` });
      seg.style.width = `${(100 * Number(counts[k])) / total}%`; // CSSOM, allowed by the CSP (no style attribute)
      return seg;
    }));
}

function countsTable(rows, nameOf, link) {
  return h('table', { class: 'counts' },
    h('thead', {}, h('tr', {}, h('th', { text: '' }), ...STATUSES.map((k) => h('th', { class: 'num', text: k.replace('_', ' ') })), h('th', {}))),
    h('tbody', {}, ...rows.map((r) => h('tr', {},
      h('td', { class: 'name' }, link ? h('a', { href: link(r), text: nameOf(r) }) : h('span', { text: nameOf(r) })),
      ...STATUSES.map((k) => h('td', { class: `num${r.counts[k] ? '' : ' zero'}`, text: num(r.counts[k]) })),
      h('td', { class: 'bar-cell' }, countsBar(r.counts))))));
}

function renderLabels() {
  const l = summary.labels;
  const el = $('labels');
  fill(el, h('h2', { text: 'Labels' }),
    l.rows.length === 0 ? h('p', { class: 'muted', text: 'No jobs yet.' })
      : countsTable(l.rows, (r) => (r.label === null ? '(no label)' : r.label), (r) => (r.label === null ? null : filterHash({ label: r.label }))),
    Number(l.seen) >= l.window ? h('p', { class: 'muted small', text: `Counted over the newest ${num(l.window)} jobs.` }) : null);
}

function renderQueues() {
  const el = $('queues');
  const shown = summary.queues !== null && summary.queues !== undefined;
  el.hidden = !shown;
  el.parentElement.classList.toggle('with-queues', shown);
  if (!shown) return;
  const qs = summary.queues;
  const cols = qs.length ? Object.keys(qs[0]) : [];
  const counts = new Map((summary.queueCounts ?? []).map((q) => [q.queue, q.counts]));
  fill(el, h('h2', { text: 'Queues' }),
    qs.length === 0 ? h('p', { class: 'muted', text: 'No queues.' }) : h('table', {},
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: c.replace(/_/g, ' ') })), counts.size ? h('th', { text: 'jobs (newest)' }) : null)),
      h('tbody', {}, ...qs.map((q) => h('tr', {},
        ...cols.map((c) => (c === 'paused' ? h('td', {}, q[c] ? h('span', { class: 'pill paused', text: 'paused' }) : h('span', { class: 'muted', text: 'no' }))
          : h('td', { class: typeof q[c] === 'number' ? 'num' : '', text: cell(q[c]) }))),
        counts.size ? h('td', { class: 'bar-cell' }, countsBar(counts.get(q.name ?? q.queue) ?? {})) : null)))));
}

function cell(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function renderSchedules() {
  const el = $('schedules');
  if (summary.schedules === null || summary.schedules === undefined) { el.hidden = true; return; }
  el.hidden = false;
  const rows = summary.schedules;
  const mine = (sc) => sc.role === me.role;
  const acts = (sc) => {
    const out = [];
    if (!mine(sc)) return out;
    const name = encodeURIComponent(sc.name);
    if (sc.paused ? canAct('resume_schedule') : canAct('pause_schedule')) {
      out.push(actionButton(sc.paused ? 'Resume' : 'Pause', null, async () => {
        await api(`/api/schedules/${name}/${sc.paused ? 'resume' : 'pause'}`, {});
        return `Schedule ${sc.name} ${sc.paused ? 'resumed' : 'paused'}.`;
      }));
    }
    if (canAct('run_schedule_now')) {
      out.push(actionButton('Run now', null, async () => {
        const r = await api(`/api/schedules/${name}/run-now`, {});
        return `Schedule ${sc.name}: job ${r.job} fired.`;
      }));
    }
    return out;
  };
  fill(el, h('h2', { text: 'Schedules' }),
    rows.length === 0 ? h('p', { class: 'muted', text: 'No schedules. Make one in SQL: SELECT pgdispatch.schedule(\'name\', \'*/5 * * * *\', \'SELECT 1\');' })
      : h('table', { class: 'schedules' },
        h('thead', {}, h('tr', {}, ...['name', 'when', 'next run', 'last run', 'took', 'ok / failed / skipped', 'command', ''].map((t) => h('th', { text: t })))),
        h('tbody', {}, ...rows.map((sc) => h('tr', { class: sc.paused ? 'paused' : '' },
          h('td', { class: 'name' }, h('span', { text: sc.name }), me.admin && !mine(sc) ? h('span', { class: 'muted small', text: ` (${sc.role})` }) : null),
          h('td', {}, h('code', { text: sc.expression }), h('span', { class: 'muted small', text: ` ${sc.time_zone}` })),
          h('td', {}, sc.paused ? h('span', { class: 'pill paused', text: 'paused' }) : when(sc.next_run_at)),
          h('td', {}, sc.last_status ? h('a', { href: `#/job/${sc.last_job_id}` }, pill(sc.last_status)) : null, ' ', when(sc.last_started_at),
            sc.last_error ? h('div', { class: 'err small', text: sc.last_error }) : null),
          h('td', { text: sc.last_seconds === null ? '–' : seconds(Number(sc.last_seconds)) }),
          h('td', { class: 'num', text: `${num(sc.succeeded)} / ${num(sc.failed)} / ${num(sc.skipped)}` }),
          h('td', { class: 'cmd' }, h('code', { text: sc.command })),
          h('td', { class: 'acts' }, ...acts(sc)))))));
}

// ---------------------------------------------------------------------------------------------
// The job list: the filters of `pgdispatch jobs`, keyset pages (newest first).

function filterForm() {
  const f = view.filter;
  const chosen = new Set((f.status ?? '').split(',').filter(Boolean));
  const boxes = STATUSES.map((k) => h('label', { class: `chk st-${k}` },
    h('input', { type: 'checkbox', name: 'status', value: k, checked: chosen.has(k) }), k.replace('_', ' ')));
  const label = h('input', { type: 'search', name: 'label', placeholder: 'label pattern, e.g. billing/%', value: f.label ?? '' });
  const since = h('select', { name: 'since' }, ...[['', 'any time'], ['15m', 'last 15 min'], ['1h', 'last hour'], ['24h', 'last 24 h'], ['7d', 'last 7 days']]
    .map(([v, t]) => h('option', { value: v, text: t, selected: (f.since ?? '') === v })));
  const form = h('form', { class: 'filters', id: 'filters' }, h('div', { class: 'boxes' }, ...boxes), label, since,
    h('button', { type: 'submit', text: 'Filter' }), h('a', { href: '#/', class: 'reset', text: 'clear' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const status = [...form.querySelectorAll('input[name=status]:checked')].map((i) => i.value).join(',');
    location.hash = filterHash({ status, label: label.value.trim(), since: since.value });
  });
  return form;
}

function jobsQuery(cursor) {
  const q = new URLSearchParams({ limit: '50' });
  for (const k of ['status', 'label', 'since']) if (view.filter[k]) q.set(k, view.filter[k]);
  if (cursor) q.set('cursor', cursor);
  return `/api/jobs?${q}`;
}

let loading = null;
let prefetched = null; // the first page, asked for with /api/me and /api/summary
async function loadJobs() {
  const cursor = view.cursors.at(-1);
  const mine = (loading = jobsQuery(cursor));
  let page;
  try {
    const early = prefetched?.query === mine ? prefetched.page : null;
    prefetched = null;
    page = await (early ?? api(mine));
  } catch (e) {
    if (loading === mine && $('job-list')) fill($('job-list'), h('p', { class: 'err', text: e.message }));
    return;
  }
  if (loading !== mine || view.name !== 'overview') return; // a newer request won
  view.page = page;
  renderJobs();
}

function renderJobs() {
  const page = view.page;
  view.rows = new Map();
  const list = $('job-list');
  if (!list) return;
  if (page.jobs.length === 0) {
    fill(list, h('p', { class: 'muted', text: Object.keys(view.filter).length ? 'No jobs match.' : 'No jobs yet. Fire one: SELECT pgdispatch.fire(\'SELECT 1\');' }));
  } else {
    const queue = me.jobColumns.includes('queue');
    fill(list, h('table', { class: 'jobs' },
      h('thead', {}, h('tr', {}, ...['id', 'status', 'label', queue ? 'queue' : null, 'tries', 'fired', 'waited', 'ran', 'command / outcome', ''].filter((x) => x !== null).map((t) => h('th', { text: t })))),
      h('tbody', {}, ...page.jobs.map((j) => jobRow(j, queue)))));
  }
  const pager = $('pager');
  fill(pager, 
    view.cursors.length ? h('button', { type: 'button', text: '← newest', onclick: () => { view.cursors = []; void loadJobs(); } }) : null,
    view.cursors.length ? h('button', { type: 'button', text: '← newer', onclick: () => { view.cursors.pop(); void loadJobs(); } }) : null,
    page.nextCursor ? h('button', { type: 'button', text: 'older →', onclick: () => { view.cursors.push(page.nextCursor); void loadJobs(); } }) : null,
  );
}

function jobRow(j, queue) {
  const status = h('td', {}, pill(j.status));
  const acts = h('td', { class: 'acts' }, ...jobActions(j));
  const tr = h('tr', { 'data-id': j.id },
    h('td', { class: 'id' }, h('a', { href: `#/job/${j.id}`, text: j.id })),
    status,
    h('td', { class: 'label' }, j.label === null ? h('span', { class: 'muted', text: '–' }) : h('span', { text: j.label })),
    queue ? h('td', { text: j.queue ?? '–' }) : null,
    h('td', { class: 'num', text: `${j.attempts}/${j.max_attempts}` }),
    h('td', {}, when(j.created_at)),
    h('td', { text: between(j.run_at, j.started_at) }),
    h('td', { text: between(j.started_at, j.finished_at) }),
    h('td', { class: 'cmd' }, h('code', { text: j.command }),
      j.error_sqlstate ? h('div', { class: 'err small', text: `${j.error_sqlstate} ${j.error_message ?? ''}` }) : null),
    acts);
  view.rows.set(j.id, { status, acts, job: j });
  return tr;
}

function jobActions(j) {
  const out = [];
  if (['scheduled', 'running'].includes(j.status) && canAct('cancel')) {
    out.push(actionButton('Cancel', 'Cancel? click again', async () => {
      const r = await api(`/api/jobs/${j.id}/cancel`, {});
      return r.cancelled ? `Job ${j.id} cancelled.` : `Job ${j.id} had already finished.`;
    }));
  }
  if (RETRYABLE.includes(j.status) && canAct('retry')) {
    out.push(actionButton('Retry', null, async () => {
      const r = await api(`/api/jobs/${j.id}/retry`, {});
      return `Job ${j.id} retried as job ${r.retry}.`;
    }));
  }
  return out;
}

/** Live: a job's status changed; update its row if shown. */
function jobMoved(id, status) {
  const row = view.rows.get(id);
  if (!row || row.job.status === status) return;
  row.job = { ...row.job, status };
  fill(row.status, pill(status));
  fill(row.acts, ...jobActions(row.job));
}

// The first page follows new jobs: reloaded after a push (at most once a second).
let reloadTimer = null;
function reloadFirstPageSoon() {
  if (view.name !== 'overview' || view.cursors.length || reloadTimer) return;
  reloadTimer = setTimeout(() => { reloadTimer = null; void loadJobs(); }, 1000);
}

// ---------------------------------------------------------------------------------------------
// A job's page.

const KNOWN = new Set(['id', 'command', 'label', 'role', 'status', 'created_at', 'run_at', 'started_at', 'finished_at', 'attempts', 'max_attempts',
  'timeout', 'row_count', 'truncated', 'rows_shown', 'rows_total', 'error_sqlstate', 'error_message', 'error_detail', 'error_hint', 'error_context',
  'attempt_log', 'retry_of', 'retried_by', 'sub', 'schedule_id', 'args', 'dependencies', 'depends_on', 'after']);

async function renderJob() {
  const id = view.jobId;
  let j;
  try {
    j = await api(`/api/jobs/${id}`);
  } catch (e) {
    fill($('main'), h('p', {}, h('a', { href: '#/', text: '← all jobs' })), h('p', { class: 'err', text: e.message }));
    return;
  }
  if (view.name !== 'job' || view.jobId !== id) return;
  const sched = j.schedule_id && summary?.schedules ? summary.schedules.find((x) => x.id === j.schedule_id) : null;
  const dl = (pairs) => h('dl', { class: 'facts' }, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
  const abs = (iso) => (iso ? h('span', {}, h('span', { text: new Date(iso).toLocaleString() }), h('span', { class: 'muted', text: ` (${ago(iso)})` })) : null);
  const extra = Object.keys(j).filter((k) => !KNOWN.has(k) && j[k] !== null);
  fill($('main'), 
    h('p', {}, h('a', { href: '#/', text: '← all jobs' })),
    h('section', { class: 'card job' },
      h('div', { class: 'job-head' }, h('h1', { text: `Job ${j.id}` }), pill(j.status), h('span', { class: 'acts' }, ...jobActions(j))),
      dl([
        ['label', j.label === null ? null : h('span', { text: j.label })],
        ['role', j.role],
        ['end user', j.sub],
        ['schedule', j.schedule_id ? (sched ? sched.name : `#${j.schedule_id}`) : null],
        ['retry of', j.retry_of ? h('a', { href: `#/job/${j.retry_of}`, text: `job ${j.retry_of}` }) : null],
        ['retried by', j.retried_by?.length ? h('span', {}, ...j.retried_by.flatMap((r, i) => [i ? ', ' : '', h('a', { href: `#/job/${r}`, text: `job ${r}` })])) : null],
        ['fired', abs(j.created_at)],
        ['due', abs(j.run_at)],
        ['started', abs(j.started_at)],
        ['finished', abs(j.finished_at)],
        ['waited', j.started_at ? between(j.run_at, j.started_at) : null],
        ['ran', j.finished_at && j.started_at ? between(j.started_at, j.finished_at) : null],
        ['attempts', `${j.attempts} of ${j.max_attempts}`],
        ['timeout', j.timeout],
        ['row count', j.row_count === null ? null : `${num(j.row_count)}${j.truncated ? ' (rows truncated)' : ''}`],
        ...extra.map((k) => [k.replace(/_/g, ' '), cell(j[k])]),
      ]),
      h('h2', { text: 'Command' }), h('pre', { class: 'code', text: j.command }),
      j.args !== undefined && j.args !== null ? [h('h2', { text: 'Arguments' }), h('pre', { class: 'code', text: JSON.stringify(j.args, null, 2) })] : null,
      dependencies(j),
      j.error_sqlstate ? h('div', { class: 'error-box' },
        h('h2', { text: `Error ${j.error_sqlstate}` }), h('p', { class: 'err', text: j.error_message ?? '' }),
        dl([['detail', j.error_detail], ['hint', j.error_hint], ['context', j.error_context ? h('pre', { class: 'code small', text: j.error_context }) : null]])) : null,
      attempts(j),
      rowsTable(j)),
  );
}

function dependencies(j) {
  const deps = j.dependencies ?? null;
  if (!deps || !deps.length) return null;
  return [h('h2', { text: 'Depends on' }), h('ul', { class: 'deps' }, ...deps.map((d) => h('li', {},
    h('a', { href: `#/job/${d.id}`, text: `job ${d.id}` }), ' ', d.status ? pill(d.status) : h('span', { class: 'muted', text: 'not visible' }),
    d.label ? h('span', { class: 'muted', text: ` ${d.label}` }) : null)))];
}

function attempts(j) {
  const log = j.attempt_log ?? [];
  if (!log.length) return null;
  return [h('h2', { text: 'Failed attempts' }), h('table', {},
    h('thead', {}, h('tr', {}, ...['#', 'started', 'failed', 'sqlstate', 'message'].map((t) => h('th', { text: t })))),
    h('tbody', {}, ...log.map((a) => h('tr', {},
      h('td', { text: a.attempt }), h('td', {}, when(a.started_at)), h('td', {}, when(a.failed_at)),
      h('td', {}, h('code', { text: a.sqlstate })), h('td', { class: 'err', text: a.message })))))];
}

function rowsTable(j) {
  const rows = j.rows_shown;
  if (!rows || !rows.length) return null;
  const cols = [];
  for (const r of rows) for (const [k] of r) if (!cols.includes(k)) cols.push(k);
  return [h('h2', { text: `Rows${Number(j.rows_total) > rows.length ? ` (first ${rows.length} of ${num(j.rows_total)})` : ''}` }),
    h('div', { class: 'scroll' }, h('table', { class: 'rows' },
      h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { text: c })))),
      h('tbody', {}, ...rows.map((r) => {
        const m = new Map(r);
        return h('tr', {}, ...cols.map((c) => (m.get(c) === null || m.get(c) === undefined ? h('td', { class: 'null', text: 'NULL' }) : h('td', { text: m.get(c) }))));
      }))))];
}

// ---------------------------------------------------------------------------------------------
// Live updates.

function connectLive() {
  const live = $('live');
  const es = new EventSource('/api/events');
  es.addEventListener('open', () => { live.textContent = 'live'; live.className = 'live on'; });
  es.addEventListener('error', () => { live.textContent = 'reconnecting…'; live.className = 'live off'; });
  es.addEventListener('summary', (e) => {
    const key = (x) => (x ? JSON.stringify([x.counts, x.hour]) : '');
    const before = key(summary);
    summary = JSON.parse(e.data);
    renderSummary();
    if (key(summary) !== before) reloadFirstPageSoon();
  });
  es.addEventListener('jobs', (e) => {
    const moved = JSON.parse(e.data);
    for (const { id, status } of moved) {
      jobMoved(id, status);
      if (view.name === 'job' && view.jobId === id) void renderJob();
    }
    reloadFirstPageSoon();
  });
}

async function start() {
  const first = parseHash();
  if (first.name === 'overview') {
    view.filter = first.filter;
    const query = jobsQuery();
    prefetched = { query, page: api(query) };
    prefetched.page.catch(() => {}); // reported by loadJobs
  }
  [me, summary] = await Promise.all([api('/api/me'), api('/api/summary')]);
  fill($('who'), h('span', { text: `${me.role}${me.admin ? ' (admin)' : ''}` }), h('span', { class: 'muted', text: ` @ ${me.database} · pg_dispatch ${me.version ?? '?'}` }),
    me.readOnly ? h('span', { class: 'pill ro', text: 'read-only' }) : null);
  window.addEventListener('hashchange', () => void route());
  await route();
  connectLive();
  document.body.dataset.ready = 'true'; // for tests: the first data is on the page
}

start().catch((e) => {
  fill($('main'), h('p', { class: 'err', text: `Cannot load the dashboard: ${e.message}` }));
});
