/* actionnlp report: the action-level explorer and the clickable charts.
   Plain JavaScript, no library, no network. Data come from the JSON element
   #explorer-data; every text is inserted as a text node, never as HTML. */
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  if (!source) { return; }
  var root = document.documentElement.dataset;
  root.explorerStart = String(performance.now());
  var D = JSON.parse(source.textContent);
  root.explorerParsed = String(performance.now());
  var A = D.actions, C = D.concerns, G = D.groups;
  var PAGE = 50;
  var FILTERS = ["prison", "year", "theme", "owner", "decision", "smart", "status"];
  var state = { f: {}, q: "", sort: null, dir: 1, page: 0 };
  var hay = null;
  var rows = A.map(function (_, i) { return i; });

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function label(s) { return String(s).replace(/_/g, " "); }
  function concern(a) { return a.c === null ? null : C[a.c]; }

  /* -- filtering ------------------------------------------------------------ */
  function test(a, key, v) {
    var c = concern(a);
    switch (key) {
      case "prison": return a.p === v;
      case "year": return String(a.y) === v;
      case "theme": return c !== null && c[3].indexOf(v) >= 0;
      case "owner": return a.oc.indexOf(v) >= 0;
      case "decision": return c !== null && c[4] === v;
      case "smart": return a.sm[D.smart.indexOf(v.charAt(0))] === Number(v.charAt(1));
      case "status": return a.st === v;
      case "counted": return a.n === true;
      case "group": return a.g === Number(v);
      default: return true;
    }
  }
  function haystack(i) {
    if (hay === null) { hay = new Array(A.length); }
    if (hay[i] === undefined) {
      var a = A[i], c = concern(a), ev = [];
      for (var k in a.ev) { ev.push(a.ev[k]); }
      hay[i] = [a.p, a.y, a.t, a.o.join(" "), a.oc.join(" "), a.tr, a.st, a.src, ev.join(" "),
        c ? c[0] : "", c ? c[1] : "", c ? c[2] : ""].join(" \u0001 ").toLowerCase();
    }
    return hay[i];
  }
  function apply() {
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var keys = Object.keys(state.f);
    rows = [];
    for (var i = 0; i < A.length; i++) {
      var ok = true;
      for (var j = 0; j < keys.length && ok; j++) { ok = test(A[i], keys[j], state.f[keys[j]]); }
      for (var w = 0; w < words.length && ok; w++) { ok = haystack(i).indexOf(words[w]) >= 0; }
      if (ok) { rows.push(i); }
    }
    sortRows();
    state.page = 0;
    render();
  }

  /* -- sorting -------------------------------------------------------------- */
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function sortKey(a, key) {
    var c = concern(a);
    switch (key) {
      case "c": return c ? c[0] : null;
      case "d": return c ? c[4] : null;
      case "o": return a.o.join(", ");
      case "th": return a.tp.length ? a.tp[0][1] : null;
      case "td": return a.td || a.tr;
      default: return a[key];
    }
  }
  function sortRows() {
    if (!state.sort) { return; }
    var key = state.sort, dir = state.dir;
    rows.sort(function (x, y) {
      var u = sortKey(A[x], key), v = sortKey(A[y], key);
      if (u === null || u === undefined) { return (v === null || v === undefined) ? x - y : 1; }
      if (v === null || v === undefined) { return -1; }
      var r = (typeof u === "number" && typeof v === "number") ? u - v : collator.compare(String(u), String(v));
      return r === 0 ? x - y : r * dir;
    });
  }

  /* -- rendering ------------------------------------------------------------ */
  function highlighted(text, spans, ev) {
    var frag = document.createDocumentFragment(), at = 0;
    text = text || "";
    spans.forEach(function (s) {
      if (s[0] < at || s[1] > text.length) { return; }
      frag.appendChild(document.createTextNode(text.slice(at, s[0])));
      var m = el("mark", "ev-" + s[2], text.slice(s[0], s[1]));
      m.title = s[2] + ": " + (ev[s[2]] || "");
      frag.appendChild(m);
      at = s[1];
    });
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }
  function cellConcern(a) {
    var td = el("td"), c = concern(a);
    if (!c) { td.appendChild(el("span", "muted", "–")); return td; }
    var b = el("button", "link", c[0] === null ? "(no id)" : c[0]);
    b.type = "button";
    b.title = "show the concern's text";
    var box = el("span", "ctext");
    box.hidden = true;
    b.addEventListener("click", function () {
      if (!box.firstChild) {
        box.appendChild(document.createTextNode(c[1] || ""));
        if (c[2]) { box.appendChild(el("br")); box.appendChild(el("i", null, c[2])); }
      }
      box.hidden = !box.hidden;
    });
    td.appendChild(b);
    c[3].forEach(function (t) { td.appendChild(el("span", "tag", label(t))); });
    td.appendChild(box);
    return td;
  }
  function row(i) {
    var a = A[i], c = concern(a), tr = el("tr");
    tr.dataset.i = i;
    var td = el("td", null, a.p === null ? "–" : a.p);
    if (a.y !== null) { td.appendChild(el("div", "muted", a.y)); }
    tr.appendChild(td);
    tr.appendChild(cellConcern(a));
    tr.appendChild(el("td", null, c && c[4] ? label(c[4]) : "–"));
    td = el("td");
    if (a.k && a.k !== "action") { td.appendChild(el("span", "kind", a.k)); td.appendChild(document.createTextNode(" ")); }
    td.appendChild(highlighted(a.t, a.hl, a.ev));
    var keys = Object.keys(a.ev);
    if (keys.length) {
      var ev = el("details", "ev");
      ev.appendChild(el("summary", null, "SMART evidence"));
      keys.forEach(function (k) { ev.appendChild(el("div", null, k + ": " + a.ev[k])); });
      td.appendChild(ev);
    }
    tr.appendChild(td);
    td = el("td");
    a.o.forEach(function (o, j) {
      td.appendChild(el("div", null, o));
      if (a.oc[j]) { td.appendChild(el("div", "muted", label(a.oc[j]))); }
    });
    if (!a.o.length) { td.textContent = "–"; }
    tr.appendChild(td);
    td = el("td", null, a.tr || "–");
    if (a.td) { td.appendChild(el("div", "muted", a.td)); }
    if (a.st) { td.appendChild(el("div", "muted", a.st)); }
    tr.appendChild(td);
    td = el("td");
    a.tp.forEach(function (tp) {
      var on = a.th.indexOf(tp[0]) >= 0;
      td.appendChild(el("span", on ? "tag" : "tag off", label(tp[0]) + " " + tp[1].toFixed(2)));
    });
    tr.appendChild(td);
    td = el("td");
    D.smart.forEach(function (k, j) {
      var v = a.sm[j];
      var s = el("span", "sm " + (v === 1 ? "y" : v === 0 ? "n" : "u"), k);
      s.title = k + (v === 1 ? " met" : v === 0 ? " not met" : " not scored") + (a.ev[k] ? ": " + a.ev[k] : "");
      td.appendChild(s);
    });
    td.appendChild(el("div", "muted", a.ss === null ? "not applicable" : a.ss + "/5"));
    tr.appendChild(td);
    td = el("td", null, a.src || "–");
    if (a.pg !== null && a.pg !== undefined) { td.appendChild(el("div", "muted", "page " + a.pg)); }
    tr.appendChild(td);
    return tr;
  }
  function render() {
    var body = $("x-table").tBodies[0];
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var frag = document.createDocumentFragment();
    rows.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (i) { frag.appendChild(row(i)); });
    body.textContent = "";
    body.appendChild(frag);
    $("x-page").textContent = "Page " + (state.page + 1) + " of " + pages + " · " + rows.length +
      " of " + A.length + " actions";
    $("x-prev").disabled = state.page === 0;
    $("x-next").disabled = state.page >= pages - 1;
    var active = $("x-active");
    active.textContent = "";
    if (state.f.group !== undefined) {
      active.appendChild(el("span", "chip", D.keys.join(", ") + ": " + G[Number(state.f.group)]));
    }
    if (state.f.counted) { active.appendChild(el("span", "chip", "counted in the comparison")); }
    var ths = $("x-table").tHead.rows[0].cells;
    for (var j = 0; j < ths.length; j++) {
      ths[j].className = ths[j].dataset.sort === state.sort ? (state.dir > 0 ? "asc" : "desc") : "";
    }
  }

  /* -- controls ------------------------------------------------------------- */
  function options(id, values, names) {
    var s = $(id);
    s.appendChild(el("option", null, "(all)")).value = "";
    values.forEach(function (v, j) { s.appendChild(el("option", null, names ? names[j] : label(v))).value = v; });
  }
  function distinct(f) {
    var seen = {}, out = [];
    A.forEach(function (a) { var v = f(a); if (v !== null && v !== undefined && !seen[v]) { seen[v] = 1; out.push(String(v)); } });
    return out.sort(collator.compare);
  }
  function syncControls() {
    FILTERS.forEach(function (k) { $("f-" + k).value = state.f[k] || ""; });
    $("f-q").value = state.q;
  }
  function setFilters(f) {
    state.f = f;
    syncControls();
    apply();
  }
  options("f-prison", distinct(function (a) { return a.p; }));
  options("f-year", distinct(function (a) { return a.y; }));
  options("f-theme", D.themes);
  options("f-owner", D.owner_categories);
  options("f-decision", ["agreed", "partly_agreed", "not_agreed"]);
  var sm = [], smNames = [];
  D.smart.forEach(function (k) { sm.push(k + "1", k + "0"); smNames.push(k + " met", k + " not met"); });
  options("f-smart", sm, smNames);
  options("f-status", distinct(function (a) { return a.st; }));
  FILTERS.forEach(function (k) {
    $("f-" + k).addEventListener("change", function (e) {
      if (e.target.value) { state.f[k] = e.target.value; } else { delete state.f[k]; }
      apply();
    });
  });
  var timer = null;
  $("f-q").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value; apply(); }, 150);
  });
  $("f-clear").addEventListener("click", function () { state.q = ""; setFilters({}); });
  $("x-prev").addEventListener("click", function () { state.page -= 1; render(); });
  $("x-next").addEventListener("click", function () { state.page += 1; render(); });
  $("x-table").tHead.addEventListener("click", function (e) {
    var key = e.target.dataset && e.target.dataset.sort;
    if (!key) { return; }
    state.dir = state.sort === key ? -state.dir : 1;
    state.sort = key;
    sortRows();
    render();
  });

  /* a figure (comparison cell or chart bar) -> the actions behind it */
  function showBehind(g, m) {
    var f = { group: String(g) };
    var extra = D.filters[m] || { counted: "1" };
    for (var k in extra) { f[k] = extra[k]; }
    state.q = "";
    setFilters(f);
    $("explorer").scrollIntoView();
  }
  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-g][data-m]") : null;
    if (t) { showBehind(Number(t.dataset.g), t.dataset.m); }
  });

  /* -- charts --------------------------------------------------------------- */
  var CM = D.compare;
  function fmt(v, kind) {
    if (v === null) { return "–"; }
    return kind === "share" ? Math.round(v * 100) + "%" : v.toFixed(1);
  }
  function chart() {
    var j = Number($("chart-metric").value), m = CM.metrics[j], box = $("chart");
    var order = CM.rows.map(function (_, g) { return g; }).filter(function (g) { return CM.rows[g][j][0] !== null; });
    order.sort(function (x, y) { return CM.rows[y][j][0] - CM.rows[x][j][0]; });
    var top = m.kind === "share" ? 1 : 0;
    order.forEach(function (g) { top = Math.max(top, CM.rows[g][j][2] || CM.rows[g][j][0]); });
    box.textContent = "";
    if (!order.length) { box.appendChild(el("p", "none", "nothing to count for this figure")); return; }
    order.forEach(function (g) {
      var r = CM.rows[g][j], bar = el("div", "bar");
      bar.dataset.g = g;
      bar.dataset.m = m.column;
      bar.setAttribute("role", "listitem");
      bar.title = G[g] + ": " + fmt(r[0], m.kind) + " of " + r[3] + " " + m.of + ", 95% interval " +
        fmt(r[1], m.kind) + "–" + fmt(r[2], m.kind) + " (click: list the actions)";
      bar.appendChild(el("span", "name", G[g]));
      var track = el("span", "track"), fill = el("span", "fill"), ci = el("span", "ci");
      fill.style.width = (100 * Math.max(0, r[0]) / top) + "%";
      if (r[1] !== null && r[2] !== null) {
        ci.style.left = (100 * Math.max(0, r[1]) / top) + "%";
        ci.style.width = (100 * Math.max(0, r[2] - r[1]) / top) + "%";
        track.appendChild(fill); track.appendChild(ci);
      } else { track.appendChild(fill); }
      bar.appendChild(track);
      bar.appendChild(el("span", null, fmt(r[0], m.kind) + " (n=" + r[3] + ")"));
      box.appendChild(bar);
    });
  }
  var pick = $("chart-metric");
  if (pick) {
    CM.metrics.forEach(function (m, j) {
      var o = el("option", null, m.family + ": " + label(m.label));
      o.value = j;
      pick.appendChild(o);
    });
    pick.addEventListener("change", chart);
    chart();
  }
  window.addEventListener("hashchange", function () {
    if (location.hash === "#model-card") { $("model-card").open = true; }
  });

  apply();
  document.documentElement.dataset.explorerReady = String(performance.now());
})();
